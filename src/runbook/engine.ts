import { randomBytes } from 'node:crypto';
import { ClusterFailure, SpecChanged, UserError } from '../errors.js';
import type { Clock } from '../incident/ports.js';
import type { Logger } from '../log.js';
import { changeSince } from './binding.js';
import { executeStep, observe, previewStep } from './change-steps.js';
import { incidentBlocks } from './guard.js';
import { createRunJournal } from './journal.js';
import type { Playbook } from './playbook.js';
import { MUTATING } from './playbook-schema.js';
import type { Cluster } from './ports.js';
import { readStep } from './read-steps.js';
import type { Run, RunState } from './run.js';
import type { RunActionSpec } from './run-actions.js';
import type { RunAudit, RunIncidents, RunOutbox, RunStore, RunTimers } from './run-ports.js';
import { renderStep, stepTarget } from './template.js';

/** What the run engine works with. */
export interface RunEngineDeps {
  readonly playbooks: ReadonlyMap<string, Playbook>;
  readonly runs: RunStore & RunAudit;
  readonly outbox: RunOutbox;
  readonly incidents: RunIncidents;
  readonly cluster: Cluster;
  readonly timers: RunTimers;
  readonly clock: Clock;
  readonly log: Logger;
  readonly approvalTtlMs: number;
}

/** A random token per preview: the card's buttons carry it, so a click on an older card never counts. */
export const newToken = () => randomBytes(6).toString('hex');

/** The sentence every interrupted run gets, on its card and in the war room. */
export const interruptedLine = (run: Pick<Run, 'step' | 'target'>) =>
  `Interrupted: Firebreak restarted during step ${run.step + 1}. Check ${run.target} (\`/incident run check-service-health\`) and request the run again if it is still needed.`;

/**
 * The run state machine. Each change of state is one conditional update in Postgres that also
 * stores what must happen next (the run outbox); callers drain the outbox.
 */
export function createRunEngine(deps: RunEngineDeps) {
  const { runs, cluster, clock } = deps;
  const book = (id: string): Playbook => {
    const pb = deps.playbooks.get(id);
    if (!pb) throw new UserError('not_found', `There is no playbook "${id}". \`/incident playbooks\` lists them.`);
    return pb;
  };

  /** Every event goes to the audit table and the incident timeline, as plain text. */
  const record = createRunJournal(deps);

  /** Ends the run; its card and a result message are posted through the outbox. */
  async function finish(run: Run, ok: boolean, lines: readonly string[], completes?: number): Promise<void> {
    const outcome = lines.join('\n').slice(0, 2000);
    const done = await runs.transition(
      run.id,
      ['running', 'approved'],
      ok ? 'succeeded' : 'failed',
      { outcome, finished: clock.now() },
      { actions: [{ kind: 'card' }, { kind: 'post', message: { kind: 'result', ok, lines } }], completes },
    );
    if (done) await record(done, 'firebreak', ok ? 'succeeded' : 'failed', lines.join('; ').slice(0, 500));
  }

  /** Previews step `index` and puts it to approval; `replaces` says why an earlier preview of it did not run. */
  async function ask(
    run: Run,
    from: RunState,
    index: number,
    extra: RunActionSpec[],
    completes?: number,
    replaces?: string,
  ) {
    const step = renderStep(book(run.playbook).steps[index]!, run.params);
    const preview = await previewStep(cluster, step, index, clock.now(), newToken());
    const expiresAt = new Date(clock.now().getTime() + deps.approvalTtlMs);
    const asked = await runs.transition(
      run.id,
      [from],
      'awaiting_approval',
      { step: index, preview: replaces ? { ...preview, replaces } : preview, expiresAt, cardTs: null },
      { actions: [...extra, { kind: 'ask', token: preview.token }], completes },
    );
    if (!asked) return;
    await record(asked, 'firebreak', 'dry_run', preview.lines.join('; '), {
      step: index,
      action: step.action,
      generation: preview.binding.generation,
      digest: preview.binding.digest,
    });
    await deps.timers
      .expire(run.id, expiresAt)
      .catch((err: unknown) =>
        deps.log.warn({ err, runId: run.id }, 'could not schedule the approval expiry; the sweep expires it'),
      );
  }

  /** Runs read-only steps from `from`; then previews the next change for approval, or finishes. */
  async function advance(run: Run, from: number, completes: number, onLine: (line: string) => void): Promise<void> {
    const pb = book(run.playbook);
    const lines: string[] = [];
    try {
      for (let i = from; i < pb.steps.length; i++) {
        const step = renderStep(pb.steps[i]!, run.params);
        if (MUTATING.has(step.action)) {
          const progress: RunActionSpec[] = lines.length
            ? [{ kind: 'post', message: { kind: 'progress', lines } }]
            : [];
          return await ask(run, 'running', i, progress, completes);
        }
        const result = await readStep(cluster, step, onLine);
        lines.push(`${step.action} ${stepTarget(step)}`, ...result.lines.map((l) => `  ${l}`));
        if (!result.ok) return await finish(run, false, lines, completes);
      }
      await finish(run, true, lines, completes);
    } catch (err) {
      await finish(run, false, [...lines, failureLine(err, run)], completes);
    }
  }

  function failureLine(err: unknown, run: Run): string {
    if (err instanceof ClusterFailure) return err.message;
    deps.log.error({ err, runId: run.id }, 'runbook step failed');
    return `unexpected error: ${(err as Error).message}`;
  }

  /** The preview no longer holds: nothing was applied; the old card says why and a new preview is asked for. */
  async function reask(run: Run, from: RunState, reason: string, completes: number): Promise<void> {
    await record(run, 'firebreak', 'changed', `step ${run.step + 1} not run: ${reason}; asking again`, { reason });
    const old: RunActionSpec[] =
      run.channel && run.cardTs && run.preview
        ? [
            {
              kind: 'superseded',
              channel: run.channel,
              ts: run.cardTs,
              preview: run.preview,
              reason,
              approvedBy: run.decidedBy,
            },
          ]
        : [];
    try {
      await ask(run, from, run.step, old, completes, reason);
    } catch (err) {
      await finish(run, false, [`Step ${run.step + 1} was not run: ${reason}.`, failureLine(err, run)], completes);
    }
  }

  /** Marks a run that was mid-step when its worker died; nothing is re-applied without a person. */
  async function interrupt(run: Run, completes?: number): Promise<void> {
    const line = interruptedLine(run);
    const done = await runs.transition(
      run.id,
      ['running', 'approved'],
      'interrupted',
      { outcome: line, finished: clock.now() },
      {
        actions: [{ kind: 'card' }, { kind: 'post', message: { kind: 'result', ok: false, lines: [line] } }],
        completes,
      },
    );
    if (done)
      await record(
        done,
        'firebreak',
        'interrupted',
        'the bot stopped while this run was in progress; nothing will be re-run without a person',
      );
  }

  /** Ends an unanswered request: at its expiry, or at once with `reason` (the incident no longer allows it). */
  async function expire(run: Run, reason?: string, completes?: number): Promise<boolean> {
    const now = clock.now();
    if (!reason && (!run.expiresAt || run.expiresAt > now)) return false;
    const expired = await runs.transition(
      run.id,
      ['awaiting_approval', 'approved'],
      'expired',
      { finished: now, ...(reason && { outcome: reason }) },
      { actions: [{ kind: 'card' }], completes },
    );
    if (!expired) return false;
    await record(
      expired,
      'firebreak',
      'expired',
      `${reason ? `expired: ${reason}` : 'approval expired'}; nothing was changed`,
    );
    return true;
  }

  /**
   * Applies approved step `step` once, if the incident still allows it and the preview still holds.
   * A run found `running` lost its worker mid-step: if the previewed spec still holds, the change
   * never landed (it would have moved it), so it is applied now; otherwise nothing is re-applied.
   */
  async function execute(run: Run, step: number, token: string, completes: number): Promise<void> {
    const { preview } = run;
    const ours = run.step === step && preview?.token === token;
    if (!ours || (run.state !== 'approved' && run.state !== 'running')) return deps.outbox.complete(completes);
    const pb = book(run.playbook);
    const rendered = renderStep(pb.steps[step]!, run.params);
    if (run.state === 'running') {
      const landed = await observe(cluster, rendered).then(
        (seen) => !!changeSince(rendered.action, preview.binding, seen),
        () => true,
      );
      if (landed) return interrupt(run, completes);
    } else {
      const incident = await deps.incidents.get(run.incidentId);
      const blocked = incident && incidentBlocks(pb, incident);
      if (blocked) return void (await expire(run, blocked, completes));
      const running = await runs.transition(run.id, ['approved'], 'running', {}, { token });
      if (!running) return deps.outbox.complete(completes);
    }
    let message: string;
    try {
      message = await executeStep(cluster, rendered, preview, clock.now());
    } catch (err) {
      if (err instanceof SpecChanged) return reask(run, 'running', err.reason, completes);
      return finish(run, false, [failureLine(err, run)], completes);
    }
    // Only when another change follows does this card stop being the run's card: it then ends with what
    // was applied. Otherwise the run's own card edits carry it to the result.
    const more = pb.steps.slice(step + 1).some((s) => MUTATING.has(s.action));
    const card: RunActionSpec[] =
      more && run.channel && run.cardTs
        ? [{ kind: 'applied', channel: run.channel, ts: run.cardTs, preview, approvedBy: run.decidedBy, message }]
        : [];
    const next = await runs.transition(
      run.id,
      ['running'],
      'running',
      {},
      { actions: [...card, { kind: 'continue', from: step + 1 }], completes },
    );
    if (next) await record(next, run.decidedBy ?? 'firebreak', 'executed', message, { step, action: rendered.action });
  }

  return { book, record, advance, execute, finish, interrupt, expire };
}

export type RunEngine = ReturnType<typeof createRunEngine>;
