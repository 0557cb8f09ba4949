import { ChatFailure } from '../errors.js';
import { retryDelayMs } from '../incident/effect-failures.js';
import { settledWithin } from '../wait.js';
import type { RunEngine, RunEngineDeps } from './engine.js';
import type { Run } from './run.js';
import type { RunAction, RunActionKind, RunActionSpec } from './run-actions.js';
import type { RunAbout as About } from './run-notice.js';
import type { RunbookChat } from './run-ports.js';

const MAX_ATTEMPTS = 20;
/** Cluster work and chat work go in two lanes, so a slow or failing Slack never holds up a step, nor a step a card. */
const LANES: readonly (readonly RunActionKind[])[] = [
  ['continue', 'execute'],
  ['ask', 'card', 'superseded', 'applied', 'post'],
];
const ALL: readonly RunActionKind[] = LANES.flat();

/** What the outbox runner works with, besides the engine's. */
export interface RunOutboxRunnerDeps extends RunEngineDeps {
  readonly chat: RunbookChat;
  /** Where a run's messages go when it has no war room. */
  readonly incidentsChannel: string;
  /** Backoff before the n-th retry, jittered ±20%; a longer `Retry-After` from Slack wins. */
  readonly backoffMs?: (attempt: number) => number;
  /** Uniform in [0, 1): the jitter source, injectable so tests can pin it. */
  readonly random?: () => number;
}

function describe(spec: RunActionSpec): string {
  switch (spec.kind) {
    case 'continue':
      return 'Running the steps';
    case 'execute':
      return 'Applying the approved step';
    case 'ask':
      return 'Posting the approval card';
    case 'card':
      return "Updating the run's card";
    case 'superseded':
      return 'Updating the card of the earlier preview';
    case 'applied':
      return 'Updating the card of the applied step';
    case 'post':
      return `Posting the ${spec.message.kind} message`;
  }
}

/**
 * Carries out a run's outbox: each action is claimed under a lease (renewed while it works), so
 * a replica that dies hands it on. A chat failure is retried with backoff (honouring Retry-After)
 * and never blocks the cluster work; an approval card that cannot be posted withdraws the run.
 */
export function createRunOutboxRunner(deps: RunOutboxRunnerDeps, engine: RunEngine) {
  const { runs, outbox, chat, clock, log } = deps;
  const backoff = deps.backoffMs ?? ((n: number) => Math.min(2_000 * 2 ** (n - 1), 5 * 60_000));
  const random = deps.random ?? Math.random;
  const inflight = new Set<Promise<void>>();

  /** Streams a read-only step's progress into one message, edited in place, in order; best effort. */
  function progress(about: About) {
    const { run } = about;
    let ts: string | undefined;
    let chain = Promise.resolve();
    return (line: string) => {
      const channel = run.channel;
      if (!channel) return;
      const notice = { ...about, kind: 'progress', lines: [line] } as const;
      chain = chain
        .then(async () => {
          if (ts) await chat.edit(channel, ts, notice);
          else ts = await chat.post(channel, notice);
        })
        .catch((err: unknown) => log.warn({ err, runId: run.id }, 'could not report progress'));
    };
  }

  async function perform(a: RunAction): Promise<void> {
    const run = await runs.get(a.runId);
    if (!run) return;
    const spec = a.spec;
    const about: About = {
      run,
      title: engine.book(run.playbook).title,
      // Every message names the incident by ID, level and title: read here, as it is now.
      incident: spec.kind === 'execute' ? undefined : await deps.incidents.get(run.incidentId),
    };
    switch (spec.kind) {
      case 'continue':
        if (run.state === 'running') await engine.advance(run, spec.from, a.id, progress(about), spec.lines);
        return;
      case 'execute':
        return engine.execute(run, spec.step, spec.token, a.id);
      case 'ask': {
        if (run.state !== 'awaiting_approval' || run.preview?.token !== spec.token || run.cardTs || !run.channel)
          return;
        const key = { key: `run-${run.id}-${spec.token}`, retry: a.attempts > 1 };
        const ts = await chat.post(run.channel, { ...about, kind: 'card' }, key);
        await runs.setMessages(run.id, { cardTs: ts });
        const now = await runs.get(run.id);
        // Decided or expired while the card was on its way: show that instead of live buttons.
        if (now && now.state !== 'awaiting_approval')
          await chat.edit(run.channel, ts, { ...about, kind: 'card', run: now });
        if (a.attempts > 1)
          await engine.record(run, 'firebreak', 'card_posted', `approval card posted after ${a.attempts} attempts`);
        return;
      }
      case 'card':
        if (run.channel && run.cardTs) await chat.edit(run.channel, run.cardTs, { ...about, kind: 'card' });
        return;
      case 'superseded':
        return chat.edit(spec.channel, spec.ts, {
          ...about,
          kind: 'superseded',
          preview: spec.preview,
          reason: spec.reason,
          approvedBy: spec.approvedBy,
        });
      case 'applied':
        return chat.edit(spec.channel, spec.ts, {
          ...about,
          kind: 'applied',
          preview: spec.preview,
          approvedBy: spec.approvedBy,
          message: spec.message,
        });
      case 'post': {
        const m = spec.message;
        if (m.kind === 'withdrawn') return void (await chat.post(m.to, { ...about, ...m }));
        await chat.post(
          run.channel ?? deps.incidentsChannel,
          { ...about, ...m },
          {
            key: `run-post-${a.id}`,
            retry: a.attempts > 1,
          },
        );
        return;
      }
    }
  }

  /** The approval card cannot be posted: the run lets go of its target, and the requester is told. */
  async function withdraw(run: Run, code: string): Promise<void> {
    const reason = `the approval card could not be posted in the war room (Slack said \`${code}\`)`;
    const done = await runs.transition(
      run.id,
      ['awaiting_approval'],
      'withdrawn',
      { outcome: reason, finished: clock.now() },
      { actions: [{ kind: 'post', message: { kind: 'withdrawn', to: run.requestedBy, reason } }] },
    );
    if (!done) return;
    await engine.record(done, 'firebreak', 'withdrawn', `withdrawn: ${reason}; nothing was changed`, { code });
    await drain(run.id, ['post']);
  }

  async function failed(a: RunAction, err: unknown): Promise<void> {
    const failure = err instanceof ChatFailure ? err : undefined;
    const code = failure?.code ?? (err instanceof Error ? err.message : String(err));
    const retryable = (failure?.retryable ?? true) && a.attempts < MAX_ATTEMPTS;
    log.warn(
      { runId: a.runId, action: a.spec.kind, attempts: a.attempts, code, err: failure ? undefined : err },
      'run action failed',
    );
    const run = await runs.get(a.runId);
    if (!retryable) {
      await outbox.fail(a.id, code);
      if (run && a.spec.kind === 'ask') return withdraw(run, code);
      if (run && a.spec.kind === 'execute')
        return engine.finish(run, false, [
          `${describe(a.spec)} failed ${a.attempts} times (${code}); nothing more is tried.`,
        ]);
      if (run)
        await engine.record(
          run,
          'firebreak',
          'action_failed',
          `${describe(a.spec)} failed (${code}); gave up after ${a.attempts} attempt(s)`,
          { code },
        );
      return;
    }
    // Jittered, so actions that failed together (one Slack outage, many runs) do not all come back at once.
    const delay = Math.max(failure?.retryAfterMs ?? 0, retryDelayMs(a.attempts, undefined, backoff, random));
    const at = new Date(clock.now().getTime() + delay);
    await outbox.retry(a.id, at, code);
    if (run && a.attempts === 1)
      await engine.record(
        run,
        'firebreak',
        'action_failed',
        `${describe(a.spec)} failed (${code}); retrying in ${Math.ceil(delay / 1000)}s`,
        { code },
      );
    await deps.timers
      .actions(a.runId, at)
      .catch((e: unknown) => log.warn({ err: e, runId: a.runId }, 'could not schedule a retry; the sweep picks it up'));
  }

  /** Carries out the run's due actions of `kinds`, oldest first; true when there was any. */
  async function lane(runId: string, kinds: readonly RunActionKind[]): Promise<boolean> {
    let worked = false;
    for (;;) {
      const a = kinds.length ? await outbox.claim(runId, clock.now(), kinds) : undefined;
      if (!a) return worked;
      worked = true;
      const beat = setInterval(
        () => void outbox.extend(a.id, clock.now()).catch(() => undefined),
        Math.max(250, outbox.leaseMs / 3),
      );
      try {
        await perform(a);
        await outbox.complete(a.id);
      } catch (err) {
        await failed(a, err).catch((e: unknown) =>
          log.error({ err: e, runId }, 'could not record a failed run action'),
        );
      } finally {
        clearInterval(beat);
      }
    }
  }

  /** Carries out every due action of the run, both lanes at once, until none is left. */
  async function drain(runId: string, kinds: readonly RunActionKind[] = ALL): Promise<void> {
    const lanes = LANES.map((l) => l.filter((k) => kinds.includes(k)));
    while ((await Promise.all(lanes.map((l) => lane(runId, l)))).some(Boolean));
  }

  return {
    drain,
    /** Hands the run's due actions to the job queue; when Redis is away, does them here in the background. */
    async kick(runId: string): Promise<void> {
      try {
        await deps.timers.actions(runId, clock.now());
      } catch (err) {
        log.warn({ err, runId }, 'could not queue the run; carrying it on in this process');
        const work = drain(runId).finally(() => inflight.delete(work));
        inflight.add(work);
      }
    },
    /** Waits (at most `ms`) for work started in the background. */
    async idle(ms: number): Promise<void> {
      await settledWithin(Promise.allSettled([...inflight]), ms);
    },
  };
}

export type RunOutboxRunner = ReturnType<typeof createRunOutboxRunner>;
