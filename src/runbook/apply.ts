/** Applying an approved step once, while its preview holds; and what happens when it does not, or its worker died. */
import { ClusterFailure, SpecChanged } from '../errors.js';
import { changeSince } from './binding.js';
import type { RunEngineDeps } from './engine.js';
import { executionBlocks } from './guard.js';
import type { createRunJournal } from './journal.js';
import type { Playbook } from './playbook.js';
import { MUTATING } from './playbook-schema.js';
import type { Preview, Run, RunState } from './run.js';
import type { RunActionSpec } from './run-actions.js';
import { type createSteps, indent, stepLine } from './steps.js';
import { healthPlaybook, renderStep } from './template.js';

/** The sentence every interrupted run gets, on its card and in the war room. */
export const interruptedLine = (run: Pick<Run, 'step' | 'target'>) =>
  `Interrupted: Firebreak restarted during step ${run.step + 1}. Check ${run.target} (\`/incident run ${healthPlaybook(run.target)}\`) and request the run again if it is still needed.`;

/**
 * Previews step `index` and puts it to approval, with `extra` actions; `replaces` says why an earlier
 * preview of it did not run, and `given` is a preview already made.
 */
export type Ask = (
  run: Run,
  from: RunState,
  index: number,
  extra: RunActionSpec[],
  completes?: number,
  replaces?: string,
  given?: Preview,
) => Promise<void>;

/** The parts of the run engine that applying a step uses. */
export interface EngineCore {
  readonly book: (id: string) => Playbook;
  readonly record: ReturnType<typeof createRunJournal>;
  readonly finish: (run: Run, ok: boolean, lines: readonly string[], completes?: number) => Promise<void>;
  readonly ask: Ask;
  readonly expire: (run: Run, reason?: string, completes?: number) => Promise<boolean>;
  readonly failureLine: (err: unknown, run: Run) => string;
  readonly steps: ReturnType<typeof createSteps>;
}

/** `execute` (an approved step, once) and `interrupt` (a run whose worker died mid-step). */
export function createApply(deps: RunEngineDeps, core: EngineCore) {
  const { runs, clock } = deps;
  const { book, record, finish, ask, expire, failureLine, steps } = core;

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
      const landed = await steps.observe(rendered, preview).then(
        (seen) => !!changeSince(rendered.action, preview.binding, seen),
        () => true,
      );
      if (landed) return interrupt(run, completes);
    }
    // Whoever applies the step (this process after a click, or another after a crash) checks the guards again.
    const blocked = executionBlocks({
      playbook: pb,
      step: rendered,
      incident: await deps.incidents.get(run.incidentId),
      decidedAt: run.decidedAt,
      now: clock.now(),
      approvalTtlMs: deps.approvalTtlMs,
    });
    if (blocked) return void (await expire(run, blocked, completes));
    if (run.state === 'approved') {
      const running = await runs.transition(run.id, ['approved'], 'running', {}, { token });
      if (!running) return deps.outbox.complete(completes);
    }
    let applied: Awaited<ReturnType<typeof steps.execute>>;
    try {
      applied = await steps.execute(rendered, preview, clock.now());
    } catch (err) {
      if (err instanceof SpecChanged) return reask(run, 'running', err.reason, completes);
      // Status writes outran every attempt: the approval still holds, so the outbox tries the step again
      // after a back-off (the guards and the approval's age are checked again then).
      if (err instanceof ClusterFailure && err.code === 'raced') throw err;
      return finish(run, false, [failureLine(err, run)], completes);
    }
    // Only when another change follows does this card stop being the run's card: it then ends with what
    // was applied. Otherwise the run's own card edits carry it to the result.
    const more = pb.steps.slice(step + 1).some((s) => MUTATING.has(s.action));
    const { message } = applied;
    const card: RunActionSpec[] =
      more && run.channel && run.cardTs
        ? [{ kind: 'applied', channel: run.channel, ts: run.cardTs, preview, approvedBy: run.decidedBy, message }]
        : [];
    // What the step did in detail (which backends ended) opens the run's result.
    const carried = applied.lines ? { lines: [stepLine(rendered), ...indent(applied.lines)] } : {};
    const next = await runs.transition(
      run.id,
      ['running'],
      'running',
      {},
      { actions: [...card, { kind: 'continue', from: step + 1, ...carried }], completes },
    );
    if (next)
      await record(next, run.decidedBy ?? 'firebreak', 'executed', [message, ...(applied.lines ?? [])].join('; '), {
        step,
        action: rendered.action,
        ...applied.detail,
      });
  }

  return { execute, interrupt };
}
