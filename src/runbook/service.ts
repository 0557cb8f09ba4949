import { randomBytes } from 'node:crypto';
import { UserError } from '../errors.js';
import { commander, type Incident } from '../incident/incident.js';
import { createRunEngine } from './engine.js';
import { checkApproval, checkRequest } from './guard.js';
import { createRunOutboxRunner, type RunOutboxRunnerDeps } from './outbox.js';
import { bindParams } from './params.js';
import type { Playbook } from './playbook.js';
import type { Run } from './run.js';
import { targetsOf } from './template.js';
import { createRunUpkeep, type RunUpkeepDeps } from './upkeep.js';

/** What the runbook service works with. */
export interface RunbookDeps extends RunOutboxRunnerDeps, RunUpkeepDeps {
  readonly runs: RunUpkeepDeps['runs'];
  readonly outbox: RunUpkeepDeps['outbox'];
  /** Users and user groups who may approve besides the IC at the time of the request. */
  readonly approvers: readonly string[];
  /** Only listed approvers may approve (the policy's `approvals.requireApprover`). */
  readonly requireApprover: boolean;
  readonly defaultCooldownMs: number;
}

/** A click on a run's card, as the chat adapter read it. Only `runId` and `token` come from the button. */
export interface Click {
  readonly runId: string;
  readonly token: string;
  readonly actor: string;
  readonly channel: string;
  readonly messageTs: string;
  readonly verdict: 'approve' | 'deny';
}

/** Where the approval card of a request stands, for an honest reply to the requester. */
export type CardStatus =
  | { readonly kind: 'posted' }
  | { readonly kind: 'retrying'; readonly code: string; readonly at: Date }
  | { readonly kind: 'none' };

const newRunId = () => `RUN-${randomBytes(4).toString('hex').toUpperCase()}`;

/**
 * The guarded runbook executor. Only reviewed playbooks run; each mutating step is dry-run on
 * the server, shown, approved by a second person (every guard checked again at click time),
 * applied once and only while the previewed spec holds, and watched to completion. Every change
 * of state carries its next action in the same transaction, so no run is left stuck.
 */
export function createRunbooks(deps: RunbookDeps) {
  const { runs, incidents, clock } = deps;
  const engine = createRunEngine(deps);
  const runner = createRunOutboxRunner(deps, engine);
  const upkeep = createRunUpkeep(deps, engine, runner);
  const { book, record } = engine;
  const roomOf = (i: Incident) => i.channelId ?? deps.incidentsChannel;

  /** How long (in 50 ms looks) the requester's reply waits for an approval card another process is posting. */
  const CARD_WAIT_LOOKS = 60;

  /**
   * The run as it stands once its approval card has been tried: when another process holds the
   * card's post (a worker claimed it first), wait for its outcome rather than answer mid-flight.
   */
  async function settled(run: Run): Promise<{ run: Run; card: CardStatus }> {
    for (let look = 1; ; look++) {
      if (run.cardTs) return { run, card: { kind: 'posted' } };
      const ask = run.state === 'awaiting_approval' ? await deps.outbox.status(run.id, 'ask') : undefined;
      const inFlight = ask?.state === 'running' || ask?.state === 'failed';
      if (!inFlight || look >= CARD_WAIT_LOOKS)
        return {
          run,
          card: ask?.lastError ? { kind: 'retrying', code: ask.lastError, at: ask.nextAt } : { kind: 'none' },
        };
      await new Promise((resolve) => setTimeout(resolve, 50));
      run = (await runs.get(run.id)) ?? run;
    }
  }

  async function approversNow(): Promise<Set<string>> {
    const out = new Set<string>();
    for (const a of deps.approvers) for (const u of await deps.chat.members(a).catch(() => [])) out.add(u);
    return out;
  }

  function staleClick(run: Run, click: Click): string | undefined {
    if (run.state !== 'awaiting_approval') return undefined;
    if (click.token !== run.preview?.token)
      return `That button belongs to an earlier preview of ${run.id}, which was not run${run.preview?.replaces ? ` (${run.preview.replaces})` : ''}. Decide on the current card${run.channel ? ` in ${run.channel}` : ''}.`;
    if (click.channel !== run.channel || click.messageTs !== run.cardTs)
      return `That button is not on ${run.id}'s approval card. Decide on the card${run.channel ? ` in ${run.channel}` : ''}.`;
    return undefined;
  }

  /** The latest finish of a run that changed any of `targets`, and which: the cooldown counts from it. */
  async function lastChange(targets: readonly string[]): Promise<{ at: Date; target: string } | undefined> {
    let last: { at: Date; target: string } | undefined;
    for (const target of targets) {
      const at = await runs.lastFinished(target);
      if (at && (!last || at > last.at)) last = { at, target };
    }
    return last;
  }

  /** Request-time guards against the incident as it is now: severity, allowlists, cooldown of every target. */
  async function allowed(pb: Playbook, params: Run['params'], incident: Incident | undefined) {
    const last = await lastChange(targetsOf(pb, params));
    checkRequest({
      playbook: pb,
      params,
      severity: incident?.severity ?? '',
      incidentOpen: !!incident && incident.status !== 'resolved',
      lastFinishedAt: last?.at ?? null,
      ...(last && { lastFinishedTarget: last.target }),
      defaultCooldownMs: deps.defaultCooldownMs,
      now: clock.now(),
    });
  }

  /** Request-time guards, checked again at click time: an incident that no longer allows the run expires it. */
  async function recheck(run: Run, pb: Playbook): Promise<void> {
    try {
      await allowed(pb, run.params, await incidents.get(run.incidentId));
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      await engine.expire(run, err.message);
      await runner.drain(run.id);
      throw new UserError(err.code, `${err.message} ${run.id} has expired; nothing was changed.`);
    }
  }

  return {
    list: (): Playbook[] => [...deps.playbooks.values()],

    /** `/incident run`: checks the request, then previews the first change for approval. Repeats of `key` do nothing. */
    async request(
      incident: Incident,
      playbookId: string,
      args: Readonly<Record<string, string>>,
      actor: string,
      key?: string,
    ): Promise<{ run: Run; duplicate: boolean; card: CardStatus }> {
      const pb = book(playbookId);
      const params = bindParams(pb, args);
      const targets = targetsOf(pb, params);
      const target = targets[0] ?? `read-only/${newRunId()}`;
      await allowed(pb, params, incident);
      const made = await runs.create(
        {
          id: newRunId(),
          incidentId: incident.id,
          playbook: pb.id,
          params,
          target,
          requestedBy: actor,
          requestedAt: clock.now(),
          commander: commander(incident),
          state: 'running',
          step: 0,
          channel: roomOf(incident),
          holds: targets.length ? targets : [target],
        },
        { kind: 'continue', from: 0 },
        key,
      );
      if ('existing' in made) return { ...(await settled(made.existing)), duplicate: true };
      if ('busy' in made)
        throw new UserError(
          'conflict',
          `Another runbook is already working on ${targets.length > 1 ? `${targets.slice(0, -1).join(', ')} or ${targets.at(-1)}` : target}. Wait for it to finish (or be denied) first.`,
        );
      const params$ = Object.entries(params).map(([k, v]) => `${k}=${v}`);
      await record(made.created, actor, 'requested', `requested with ${params$.join(' ')}`, { params });
      await runner.drain(made.created.id);
      return { ...(await settled((await runs.get(made.created.id))!)), duplicate: false };
    },

    /** Approve or Deny: counts only from the run's current card, decided on the server from Postgres, once. */
    async decide(click: Click): Promise<Run> {
      const run = await runs.get(click.runId);
      if (!run) throw new UserError('not_found', `There is no run ${click.runId}.`);
      const pb = book(run.playbook);
      const stale = staleClick(run, click);
      if (stale) throw new UserError('conflict', stale);
      const incident = await incidents.get(run.incidentId);
      const now = clock.now();
      checkApproval(
        {
          actor: click.actor,
          requestedBy: run.requestedBy,
          commanderAtRequest: run.commander,
          commanderNow: incident ? commander(incident) : run.commander,
          approvers: await approversNow(),
          requireApprover: deps.requireApprover,
          state: run.state,
          decidedBy: run.decidedBy,
          expiresAt: run.expiresAt,
          now,
        },
        click.verdict,
      );
      if (click.verdict === 'approve') await recheck(run, pb);
      const approve = click.verdict === 'approve';
      const decided = await runs.transition(
        run.id,
        ['awaiting_approval'],
        approve ? 'approved' : 'denied',
        { decidedBy: click.actor, decidedAt: now, ...(!approve && { finished: now }) },
        {
          token: click.token,
          unexpiredAt: now,
          actions: approve
            ? [{ kind: 'execute', step: run.step, token: click.token }, { kind: 'card' }]
            : [{ kind: 'card' }],
        },
      );
      if (!decided) {
        const latest = (await runs.get(run.id))!;
        throw new UserError(
          'conflict',
          latest.decidedBy
            ? `This request was already decided by ${latest.decidedBy} (${latest.state.replace('_', ' ')}).`
            : 'This approval request expired. Ask for the run again to get a fresh preview.',
        );
      }
      const verb = approve ? 'approved' : 'denied';
      await record(decided, click.actor, verb, `${verb} step ${decided.step + 1} (${decided.preview?.lines[0] ?? ''})`);
      if (approve) await runner.kick(run.id);
      else await runner.drain(run.id);
      return decided;
    },

    /** The job: carries out the run's due actions. */
    runActions: (runId: string) => runner.drain(runId),

    expire: upkeep.expire,
    incidentChanged: upkeep.incidentChanged,
    sweep: upkeep.sweep,
    rebuild: upkeep.rebuild,
    recover: upkeep.recover,

    /** Graceful stop: waits (at most `ms`) for run work started in this process without a job. */
    idle: (ms: number) => runner.idle(ms),
  };
}

export type Runbooks = ReturnType<typeof createRunbooks>;
