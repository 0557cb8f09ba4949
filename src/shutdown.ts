import type { Server } from 'node:http';
import type { Logger } from './log.js';

/** One part of a graceful stop: a name for the log, and the work, given the milliseconds left. */
export type DrainStep = readonly [what: string, run: (msLeft: number) => Promise<unknown>];

/**
 * Runs the stages of a graceful stop in order, the steps of a stage at once,
 * each bounded by what is left of `budgetMs`. A step that fails is logged and
 * the stop goes on; a step still running when the budget ends is logged by name
 * and left behind (what it was doing is leased in Postgres or locked in BullMQ,
 * so another replica takes it over). Resolves true only when every step finished.
 */
export async function drainWithin(
  budgetMs: number,
  stages: readonly (readonly DrainStep[])[],
  log: Logger,
): Promise<boolean> {
  const deadline = Date.now() + budgetMs;
  let clean = true;
  for (const stage of stages) {
    const results = await Promise.all(
      stage.map(async ([what, run]) => {
        const msLeft = Math.max(0, deadline - Date.now());
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => {
          timer = setTimeout(() => resolve('late'), msLeft);
        });
        try {
          const work = run(msLeft).then(() => 'done' as const);
          // A step left behind may still fail later; that must not become an unhandled rejection.
          work.catch(() => undefined);
          const outcome = await Promise.race([work, late]);
          if (outcome === 'late')
            log.warn({ step: what }, `${what} did not finish within the drain; leased work goes to another replica`);
          return outcome === 'done';
        } catch (err) {
          log.warn({ err, step: what }, `stopping ${what} failed`);
          return false;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    clean &&= results.every(Boolean);
  }
  return clean;
}

/** The parts of a running bot that a graceful stop closes, in the order it closes them. */
export interface Drainable {
  /** Stops taking Slack requests: the HTTP listener stops accepting connections, or the socket disconnects. */
  readonly stopReceiver: () => Promise<unknown>;
  /** The HTTP listener in HTTP mode: its keep-alive connections are closed once the work they brought is done. */
  readonly server: Server | undefined;
  /** Waits (up to `ms`) for the commands, clicks and events already taken. */
  readonly finishSlackWork: (ms: number) => Promise<unknown>;
  /** Slack calls still waiting their turn under the rate limits give up (their effects stay in the outbox). */
  readonly releaseWaitingSlackCalls: () => void;
  /** Takes no more jobs and waits for the running ones. */
  readonly stopWorker: () => Promise<unknown>;
  /** Waits (up to `ms`) for runbook work started in the background. */
  readonly finishRunbookWork: (ms: number) => Promise<unknown>;
  readonly closeQueue: () => Promise<unknown>;
  readonly closePool: () => Promise<unknown>;
}

/**
 * Drains a bot within `budgetMs`: Slack first (no new requests; those taken
 * finish), with the job worker and runbook work at the same time; then the
 * queue, then the Postgres pool, which the others still use until they end.
 */
export function drainFirebreak(bot: Drainable, budgetMs: number, log: Logger): Promise<boolean> {
  const slack = async (ms: number) => {
    const closing = bot.stopReceiver();
    await bot.finishSlackWork(ms);
    bot.releaseWaitingSlackCalls();
    // A client's keep-alive connection would hold the listener open until it times out.
    bot.server?.closeAllConnections();
    await closing;
  };
  return drainWithin(
    budgetMs,
    [
      [
        ['the Slack receiver and the work it took', slack],
        ['running jobs', bot.stopWorker],
        ['runbook work', bot.finishRunbookWork],
      ],
      [['the job queue', bot.closeQueue]],
      [['the Postgres pool', bot.closePool]],
    ],
    log,
  );
}

/** A bot that can be drained within a budget; resolves true when everything finished. */
export interface Stoppable {
  stop(budgetMs: number): Promise<boolean>;
}

/** What `exitOnSignals` needs; `signals` and `exit` are the process unless a test gives its own. */
export interface SignalDeps {
  /** The bot, once it has started. */
  readonly bot: Promise<Stoppable>;
  readonly log: Logger;
  /** The most a stop may take from the first signal to exit (10 s). */
  readonly graceMs?: number;
  readonly signals?: Pick<NodeJS.Process, 'on'>;
  readonly exit?: (code: number) => void;
}

/** Kept from the grace period so the drain reports what it left before the hard deadline. */
const REPORT_MS = 500;

/**
 * SIGTERM or SIGINT drains the bot and exits: 0 when everything finished, 1
 * when something was left behind. A signal that comes while the bot is still
 * starting drains it as soon as it is up, within what is left of the grace
 * period. A second signal, or the grace period running out, exits at once
 * with 1, saying so.
 */
export function exitOnSignals(deps: SignalDeps): void {
  const graceMs = deps.graceMs ?? 10_000;
  const exit = deps.exit ?? ((code: number) => process.exit(code));
  const signals = deps.signals ?? process;
  const { log } = deps;
  let stopping = false;
  let deadline: NodeJS.Timeout | undefined;
  const leave = (code: number) => {
    clearTimeout(deadline);
    log.flush();
    exit(code);
  };

  const onSignal = (signal: string) => {
    if (stopping) {
      log.error({ signal }, `second ${signal}: exiting now without finishing the drain`);
      return leave(1);
    }
    stopping = true;
    log.info({ signal, graceMs }, `${signal}: draining (send it again to exit at once)`);
    const until = Date.now() + graceMs - REPORT_MS;
    deadline = setTimeout(() => {
      log.error({ graceMs }, `the drain did not finish within ${graceMs / 1000} s; exiting anyway`);
      leave(1);
    }, graceMs);
    deps.bot
      .then((bot) => bot.stop(Math.max(0, until - Date.now())))
      .then(
        (clean) => leave(clean ? 0 : 1),
        (err: unknown) => {
          log.error({ err }, 'the drain failed; exiting');
          leave(1);
        },
      );
  };
  signals.on('SIGTERM', () => onSignal('SIGTERM'));
  signals.on('SIGINT', () => onSignal('SIGINT'));
}
