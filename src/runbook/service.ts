import { randomBytes } from 'node:crypto';
import { UserError } from '../errors.js';
import { commander, type Incident } from '../incident/incident.js';
import type { Clock, IncidentStore } from '../incident/ports.js';
import type { Logger } from '../log.js';
import { bindParams, checkApproval, checkRequest, renderStep, targetOf } from './guard.js';
import { MUTATING, type Playbook } from './playbook.js';
import { type Cluster, ClusterFailure, type Run, type RunbookChat, type RunStore, type RunTimers } from './ports.js';
import { executeStep, previewStep, readStep } from './steps.js';

export interface RunbookDeps {
  readonly playbooks: ReadonlyMap<string, Playbook>;
  readonly runs: RunStore;
  readonly incidents: IncidentStore;
  readonly cluster: Cluster;
  readonly chat: RunbookChat;
  readonly timers: RunTimers;
  readonly clock: Clock;
  readonly log: Logger;
  /** Users and user groups who may approve besides the IC. */
  readonly approvers: readonly string[];
  readonly approvalTtlMs: number;
  readonly defaultCooldownMs: number;
  readonly incidentsChannel: string;
}

const newRunId = () => `RUN-${randomBytes(4).toString('hex').toUpperCase()}`;

/**
 * The guarded runbook executor. Only reviewed playbooks run; each mutating
 * step is dry-run on the server, shown, approved by a second person (checked
 * at click time), executed once as a job, and watched to completion. Every
 * event goes on the incident timeline and into the audit table.
 */
export function createRunbooks(deps: RunbookDeps) {
  const { playbooks, runs, incidents, cluster, chat, clock } = deps;
  const book = (id: string) =>
    playbooks.get(id) ??
    (() => {
      throw new UserError('not_found', `There is no playbook "${id}". \`/incident playbooks\` lists them.`);
    })();
  const roomOf = (i: Incident) => i.channelId ?? deps.incidentsChannel;

  async function record(
    run: Run,
    actor: string,
    event: string,
    text: string,
    detail: Record<string, unknown> = {},
  ): Promise<void> {
    const at = clock.now();
    await runs.audit(run, at, actor, event, detail);
    await incidents.addTimeline(run.incidentId, {
      at,
      actor,
      kind: `runbook_${event}`,
      text: `${run.id} ${run.playbook}: ${text}`,
      data: { runId: run.id, ...detail },
    });
  }

  async function finish(run: Run, ok: boolean, lines: string[], actor = 'firebreak'): Promise<void> {
    const done = await runs.transition(run.id, ['running', 'approved'], ok ? 'succeeded' : 'failed', {
      outcome: lines.join('\n').slice(0, 2000),
      finished: clock.now(),
    });
    if (!done) return;
    await record(done, actor, ok ? 'succeeded' : 'failed', lines.join('; ').slice(0, 500));
    const incident = await incidents.get(run.incidentId);
    await chat.post(done.channel ?? (incident ? roomOf(incident) : deps.incidentsChannel), {
      kind: 'result',
      run: done,
      title: book(run.playbook).title,
      ok,
      lines,
    });
    // The approved card ends with the outcome too: who approved, when, and the result.
    if (done.channel && done.cardTs && done.preview && done.decidedBy) {
      await chat.edit(done.channel, done.cardTs, {
        kind: 'decided',
        run: done,
        title: book(run.playbook).title,
        preview: done.preview,
        verdict: 'approved',
        by: done.decidedBy,
        result: { ok, lines },
      });
    }
  }

  /** Runs read-only steps from `from` until the next mutating one, which is previewed and put to approval. */
  async function advance(run: Run, from: number): Promise<Run> {
    const pb = book(run.playbook);
    const lines: string[] = [];
    for (let i = from; i < pb.steps.length; i++) {
      const step = renderStep(pb.steps[i]!, run.params);
      if (MUTATING.has(step.action)) {
        const preview = await previewStep(cluster, step, i, clock.now());
        const expiresAt = new Date(clock.now().getTime() + deps.approvalTtlMs);
        const asked = await runs.transition(run.id, ['running', 'awaiting_approval'], 'awaiting_approval', {
          step: i,
          preview,
          expiresAt,
        });
        if (!asked) return run;
        if (lines.length) await chat.post(asked.channel!, { kind: 'progress', run: asked, title: pb.title, lines });
        await record(asked, 'firebreak', 'dry_run', preview.lines.join('; '), {
          step: i,
          action: step.action,
          resourceVersion: preview.resourceVersion,
        });
        const ts = await chat.post(asked.channel!, { kind: 'approval', run: asked, title: pb.title, preview });
        await runs.setMessages(run.id, { cardTs: ts });
        await deps.timers
          .expire(run.id, expiresAt)
          .catch((err: unknown) =>
            deps.log.warn(
              { err, runId: run.id },
              'could not schedule the approval expiry; clicks after it are refused anyway',
            ),
          );
        return { ...asked, cardTs: ts };
      }
      let progressTs: string | undefined;
      const result = await readStep(cluster, step, (line) => {
        void (async () => {
          const current = await runs.get(run.id);
          if (!current?.channel) return;
          if (!progressTs)
            progressTs = await chat.post(current.channel, {
              kind: 'progress',
              run: current,
              title: pb.title,
              lines: [line],
            });
          else
            await chat.edit(current.channel, progressTs, {
              kind: 'progress',
              run: current,
              title: pb.title,
              lines: [line],
            });
        })().catch((err: unknown) => deps.log.warn({ err, runId: run.id }, 'could not report progress'));
      });
      lines.push(
        `${step.action} ${(step as { namespace: string }).namespace}/${(step as { deployment?: string }).deployment ?? ''}`,
        ...result.lines.map((l) => `  ${l}`),
      );
      if (!result.ok) {
        await finish(run, false, lines);
        return run;
      }
    }
    await finish(run, true, lines);
    return run;
  }

  async function failed(run: Run, err: unknown): Promise<void> {
    const message = err instanceof ClusterFailure ? err.message : `unexpected error: ${(err as Error).message}`;
    if (!(err instanceof ClusterFailure)) deps.log.error({ err, runId: run.id }, 'runbook step failed');
    await finish(run, false, [message]);
  }

  return {
    list: (): Playbook[] => [...playbooks.values()],

    /** `/incident run`: checks the request, then previews the first change for approval. */
    async request(
      incident: Incident,
      playbookId: string,
      args: Readonly<Record<string, string>>,
      actor: string,
    ): Promise<Run> {
      const pb = book(playbookId);
      const params = bindParams(pb, args);
      const target = targetOf(pb, params) ?? `read-only/${newRunId()}`;
      checkRequest({
        playbook: pb,
        params,
        severity: incident.severity,
        incidentOpen: incident.status !== 'resolved',
        lastFinishedAt: await runs.lastFinished(target),
        defaultCooldownMs: deps.defaultCooldownMs,
        now: clock.now(),
      });
      const run = {
        id: newRunId(),
        incidentId: incident.id,
        playbook: pb.id,
        params,
        target,
        requestedBy: actor,
        requestedAt: clock.now(),
        state: 'running' as const,
        step: 0,
        channel: roomOf(incident),
      };
      if (!(await runs.create(run)))
        throw new UserError(
          'conflict',
          `Another runbook is already working on ${target}. Wait for it to finish (or be denied) first.`,
        );
      const created = (await runs.get(run.id))!;
      await record(
        created,
        actor,
        'requested',
        `requested with ${Object.entries(params)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`,
        { params },
      );
      try {
        return await advance(created, 0);
      } catch (err) {
        await failed(created, err);
        return (await runs.get(run.id))!;
      }
    },

    /** Approve or Deny, clicked by `actor`: decided on the server from Postgres, once. */
    async decide(runId: string, verdict: 'approve' | 'deny', actor: string): Promise<Run> {
      const run = await runs.get(runId);
      if (!run) throw new UserError('not_found', `There is no run ${runId}.`);
      const incident = (await incidents.get(run.incidentId))!;
      const approvers = new Set<string>();
      for (const a of deps.approvers)
        for (const u of a.startsWith('S') ? await chat.members(a).catch(() => []) : [a]) approvers.add(u);
      const now = clock.now();
      checkApproval(
        {
          approver: actor,
          requestedBy: run.requestedBy,
          commander: commander(incident),
          approvers,
          state: run.state,
          decidedBy: run.decidedBy,
          expiresAt: run.expiresAt,
          now,
        },
        verdict,
      );
      const to = verdict === 'approve' ? 'approved' : 'denied';
      const decided = await runs.transition(run.id, ['awaiting_approval'], to, {
        decidedBy: actor,
        decidedAt: now,
        requireUnexpiredAt: now,
        ...(to === 'denied' && { finished: now }),
      });
      if (!decided) {
        const latest = (await runs.get(run.id))!;
        throw new UserError(
          'conflict',
          latest.decidedBy
            ? `This request was already decided by <@${latest.decidedBy}> (${latest.state.replace('_', ' ')}).`
            : 'This approval request expired. Ask for the run again to get a fresh preview.',
        );
      }
      await record(
        decided,
        actor,
        verdict === 'approve' ? 'approved' : 'denied',
        `${verdict === 'approve' ? 'approved' : 'denied'} step ${decided.step + 1} (${decided.preview?.lines[0] ?? ''})`,
      );
      if (decided.channel && decided.cardTs)
        await chat.edit(decided.channel, decided.cardTs, {
          kind: 'decided',
          run: decided,
          title: book(run.playbook).title,
          preview: decided.preview!,
          verdict: verdict === 'approve' ? 'approved' : 'denied',
          by: actor,
        });
      if (verdict === 'approve') await deps.timers.runStep(run.id, decided.step);
      return decided;
    },

    /** The job: executes the approved step exactly once, then carries on. */
    async runStep(runId: string, step: number): Promise<void> {
      const run = await runs.transition(runId, ['approved'], 'running', {});
      if (!run || run.step !== step || !run.preview) return;
      const pb = book(run.playbook);
      try {
        const rendered = renderStep(pb.steps[step]!, run.params);
        const message = await executeStep(cluster, rendered, run.preview, clock.now());
        await record(run, run.decidedBy ?? 'firebreak', 'executed', message, { step, action: rendered.action });
        await advance(run, step + 1);
      } catch (err) {
        if (err instanceof ClusterFailure && err.code === 'conflict') {
          await record(run, 'firebreak', 'changed', `${run.target} changed since the approval; asking again`);
          await advance(run, step).catch((e: unknown) => failed(run, e));
          return;
        }
        await failed(run, err);
      }
    },

    /** The expiry timer: an unanswered request expires and its buttons go. */
    async expire(runId: string): Promise<void> {
      const now = clock.now();
      const run = await runs.get(runId);
      if (run?.state !== 'awaiting_approval' || !run.expiresAt || run.expiresAt > now) return;
      const expired = await runs.transition(runId, ['awaiting_approval'], 'expired', { finished: now });
      if (!expired) return;
      await record(expired, 'firebreak', 'expired', 'approval expired; nothing was changed');
      if (expired.channel && expired.cardTs)
        await chat.edit(expired.channel, expired.cardTs, {
          kind: 'decided',
          run: expired,
          title: book(run.playbook).title,
          preview: expired.preview!,
          verdict: 'expired',
          by: null,
        });
    },

    /** Start-up: runs that were mid-step when the bot died are marked interrupted and reported; nothing re-runs without a person. */
    async recover(): Promise<number> {
      const interrupted = await runs.interruptRunning(clock.now());
      for (const run of interrupted) {
        await record(
          run,
          'firebreak',
          'interrupted',
          'the bot stopped while this run was in progress; nothing will be re-run without a person',
        );
        await chat.post(run.channel ?? deps.incidentsChannel, {
          kind: 'result',
          run,
          title: book(run.playbook).title,
          ok: false,
          lines: [
            `Interrupted: Firebreak restarted during step ${run.step + 1}. Check ${run.target} (\`/incident run check-service-health\`) and request the run again if it is still needed.`,
          ],
        });
      }
      return interrupted.length;
    },
  };
}

export type Runbooks = ReturnType<typeof createRunbooks>;
