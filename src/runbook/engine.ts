import { randomBytes } from 'node:crypto';
import { ClusterFailure, DiagnosticsFailure, UserError } from '../errors.js';
import type { Clock } from '../incident/ports.js';
import type { Logger } from '../log.js';
import { type Ask, createApply } from './apply.js';
import type { Diagnostics } from './diag-ports.js';
import { createRunJournal, observation } from './journal.js';
import type { Playbook } from './playbook.js';
import { MUTATING } from './playbook-schema.js';
import type { Cluster } from './ports.js';
import type { Run } from './run.js';
import type { RunActionSpec } from './run-actions.js';
import type { RunAudit, RunIncidents, RunOutbox, RunStore, RunTimers } from './run-ports.js';
import { createSteps, indent, stepLine } from './steps.js';
import { renderStep } from './template.js';

/** What the run engine works with. */
export interface RunEngineDeps {
  readonly playbooks: ReadonlyMap<string, Playbook>;
  readonly runs: RunStore & RunAudit;
  readonly outbox: RunOutbox;
  readonly incidents: RunIncidents;
  readonly cluster: Cluster;
  /** The databases and caches playbooks name. */
  readonly diagnostics: Diagnostics;
  /** How a step waits (between cancelling and terminating backends); real time unless a test says otherwise. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly timers: RunTimers;
  readonly clock: Clock;
  readonly log: Logger;
  readonly approvalTtlMs: number;
}

/** A random token per preview: the card's buttons carry it, so a click on an older card never counts. */
export const newToken = () => randomBytes(6).toString('hex');

/** A run's outcome as stored and shown on its card: its lines, clamped, always with the last (how it ended). */
function outcomeOf(lines: readonly string[], max = 2000): string {
  const all = lines.join('\n');
  if (all.length <= max) return all;
  const last = (lines.at(-1) ?? '').slice(0, max / 2);
  return `${all.slice(0, max - last.length - 3)}\n…\n${last}`;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The run state machine. Each change of state is one conditional update in Postgres that also
 * stores what must happen next (the run outbox); callers drain the outbox.
 */
export function createRunEngine(deps: RunEngineDeps) {
  const { runs, clock } = deps;
  const steps = createSteps({ cluster: deps.cluster, diagnostics: deps.diagnostics, sleep: deps.sleep ?? wait });
  const book = (id: string): Playbook => {
    const pb = deps.playbooks.get(id);
    if (!pb) throw new UserError('not_found', `There is no playbook "${id}". \`/incident playbooks\` lists them.`);
    return pb;
  };

  /** Every event goes to the audit table and the incident timeline, as plain text. */
  const record = createRunJournal(deps);

  /** Ends the run; its card and a result message are posted through the outbox. */
  async function finish(run: Run, ok: boolean, lines: readonly string[], completes?: number): Promise<void> {
    const outcome = outcomeOf(lines);
    const done = await runs.transition(
      run.id,
      ['running', 'approved'],
      ok ? 'succeeded' : 'failed',
      { outcome, finished: clock.now() },
      { actions: [{ kind: 'card' }, { kind: 'post', message: { kind: 'result', ok, lines } }], completes },
    );
    if (done) await record(done, 'firebreak', ok ? 'succeeded' : 'failed', lines.join('; ').slice(0, 500));
  }

  const ask: Ask = async (run, from, index, extra, completes, replaces, given) => {
    const step = renderStep(book(run.playbook).steps[index]!, run.params);
    const preview = given ?? (await steps.preview(step, index, clock.now(), newToken()));
    if ('nothing' in preview) return finish(run, true, [stepLine(step), ...indent(preview.nothing)], completes);
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
      ...(preview.binding.seen.backends && { backends: preview.binding.seen.backends }),
    });
    await deps.timers
      .expire(run.id, expiresAt)
      .catch((err: unknown) =>
        deps.log.warn({ err, runId: run.id }, 'could not schedule the approval expiry; the sweep expires it'),
      );
  };

  /** Runs read-only steps from `from`; then previews the next change for approval, or finishes. */
  async function advance(
    run: Run,
    from: number,
    completes: number,
    onLine: (line: string) => void,
    carried: readonly string[] = [],
  ): Promise<void> {
    const pb = book(run.playbook);
    const lines: string[] = [...carried];
    try {
      for (let i = from; i < pb.steps.length; i++) {
        const step = renderStep(pb.steps[i]!, run.params);
        if (MUTATING.has(step.action)) {
          const preview = await steps.preview(step, i, clock.now(), newToken());
          if ('nothing' in preview) {
            lines.push(stepLine(step), ...indent(preview.nothing));
            await record(run, 'firebreak', 'dry_run', `step ${i + 1}: ${preview.nothing.join('; ')}`, {
              step: i,
              action: step.action,
              nothing: true,
            });
            continue;
          }
          const progress: RunActionSpec[] = lines.length
            ? [{ kind: 'post', message: { kind: 'progress', lines } }]
            : [];
          return await ask(run, 'running', i, progress, completes, undefined, preview);
        }
        const result = await steps.read(step, onLine);
        lines.push(stepLine(step), ...indent(result.lines));
        if (result.attach)
          await deps.incidents.addTimeline(
            run.incidentId,
            observation(run, clock.now(), i, stepLine(step), result.lines),
          );
        if (!result.ok) return await finish(run, false, lines, completes);
      }
      await finish(run, true, lines, completes);
    } catch (err) {
      await finish(run, false, [...lines, failureLine(err, run)], completes);
    }
  }

  function failureLine(err: unknown, run: Run): string {
    if (err instanceof ClusterFailure || err instanceof DiagnosticsFailure || err instanceof UserError)
      return err.message;
    deps.log.error({ err, runId: run.id }, 'runbook step failed');
    return `unexpected error: ${(err as Error).message}`;
  }

  /**
   * Ends a request unanswered at its expiry, or at once with `reason` (the incident or the guards no
   * longer allow it; then also an approved step not yet applied, or one a dead worker left unapplied).
   */
  async function expire(run: Run, reason?: string, completes?: number): Promise<boolean> {
    const now = clock.now();
    if (!reason && (!run.expiresAt || run.expiresAt > now)) return false;
    const expired = await runs.transition(
      run.id,
      reason ? ['awaiting_approval', 'approved', 'running'] : ['awaiting_approval', 'approved'],
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

  const { execute, interrupt } = createApply(deps, { book, record, finish, ask, expire, failureLine, steps });

  return { book, record, advance, execute, finish, interrupt, expire };
}

export type RunEngine = ReturnType<typeof createRunEngine>;
