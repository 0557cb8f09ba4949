import { AsyncLocalStorage } from 'node:async_hooks';
import { IMPORTANCE, type Importance } from '../incident/importance.js';
import type { RateLimit } from './rate-limits.js';

export interface PacerOptions {
  /** The limit of a method, or undefined for a method that is not paced. */
  readonly limitOf: (method: string) => RateLimit | undefined;
  /** Methods Slack limits per channel (each channel has its own allowance). */
  readonly perChannel: ReadonlySet<string>;
  readonly now?: () => number;
  readonly random?: () => number;
  /**
   * Added to every interval between calls: requests do not reach Slack
   * exactly as far apart as they left, and a call that arrives a few
   * milliseconds early costs a 429 and a Retry-After of whole seconds.
   */
  readonly marginMs?: number;
}

interface Waiter {
  readonly importance: Importance;
  readonly seq: number;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

interface Bucket {
  readonly limit: RateLimit;
  tokens: number;
  updated: number;
  pausedUntil: number;
  readonly waiters: Waiter[];
  timer?: ReturnType<typeof setTimeout>;
}

/** Thrown to calls still waiting when the process stops. */
export class PacerClosed extends Error {
  constructor() {
    super('the Slack pacer is closed: this process is stopping');
  }
}

/** What the calls made in one piece of work carry: their importance, and what to do when one must wait. */
interface CallContext {
  readonly importance: Importance;
  readonly onWait?: () => void;
}
const context = new AsyncLocalStorage<CallContext>();
/** Full, idle buckets are dropped once this many are held (one per channel posted to). */
const PRUNE_AT = 500;

/**
 * Paces Slack Web API calls the way Slack limits them: one token bucket per
 * method (per channel for chat.postMessage), shared by everything in this
 * process. A call waits for its bucket; waiting calls go most important
 * first, then in arrival order. A `Retry-After` pauses the whole bucket,
 * with a little jitter so replicas do not all come back at the same instant.
 */
export function createPacer(options: PacerOptions) {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const margin = options.marginMs ?? 25;
  const buckets = new Map<string, Bucket>();
  let seq = 0;
  let closed = false;

  const keyOf = (method: string, channel: string | undefined) =>
    options.perChannel.has(method) && channel ? `${method} ${channel}` : method;

  function bucketFor(method: string, channel: string | undefined): Bucket | undefined {
    const key = keyOf(method, channel);
    const found = buckets.get(key);
    if (found) return found;
    const limit = options.limitOf(method);
    if (!limit) return undefined;
    if (buckets.size >= PRUNE_AT) prune();
    const bucket: Bucket = { limit, tokens: limit.burst, updated: now(), pausedUntil: 0, waiters: [] };
    buckets.set(key, bucket);
    return bucket;
  }

  const interval = (b: Bucket) => 60_000 / b.limit.perMinute + margin;

  function refill(b: Bucket, t: number): void {
    b.tokens = Math.min(b.limit.burst, b.tokens + (t - b.updated) / interval(b));
    b.updated = t;
  }

  function prune(): void {
    const t = now();
    for (const [key, b] of buckets) {
      refill(b, t);
      if (!b.waiters.length && b.tokens >= b.limit.burst && b.pausedUntil <= t) buckets.delete(key);
    }
  }

  function pump(b: Bucket): void {
    if (b.timer) clearTimeout(b.timer);
    b.timer = undefined;
    const t = now();
    refill(b, t);
    while (b.waiters.length && t >= b.pausedUntil && b.tokens >= 1) {
      b.tokens -= 1;
      b.waiters.shift()!.resolve();
    }
    if (!b.waiters.length) return;
    const untilToken = (1 - b.tokens) * interval(b);
    const wait = Math.max(b.pausedUntil - t, untilToken, 1);
    b.timer = setTimeout(() => pump(b), Math.ceil(wait));
  }

  return {
    /** Resolves when a call of `method` (to `channel`) may go; the current importance orders the wait. */
    acquire(method: string, channel?: string): Promise<void> {
      if (closed) return Promise.reject(new PacerClosed());
      const b = bucketFor(method, channel);
      if (!b) return Promise.resolve();
      const calling = context.getStore();
      return new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { importance: calling?.importance ?? IMPORTANCE.normal, seq: seq++, resolve, reject };
        const at = b.waiters.findIndex(
          (w) => w.importance > waiter.importance || (w.importance === waiter.importance && w.seq > waiter.seq),
        );
        b.waiters.splice(at < 0 ? b.waiters.length : at, 0, waiter);
        pump(b);
        if (b.waiters.includes(waiter)) calling?.onWait?.();
      });
    },

    /** Slack answered 429: nothing more for this method (or channel) until `ms` from now. */
    pause(method: string, channel: string | undefined, ms: number): void {
      const b = bucketFor(method, channel);
      if (!b) return;
      const jitter = random() * Math.min(1_000, ms * 0.2);
      b.pausedUntil = Math.max(b.pausedUntil, now() + ms + jitter);
      b.tokens = 0;
      b.updated = now();
      pump(b);
    },

    /** Runs `work` with Slack calls it makes ordered at `level` while they wait. */
    withImportance<T>(level: Importance, work: () => Promise<T>): Promise<T> {
      return context.run({ ...context.getStore(), importance: level }, work);
    },

    /**
     * Runs `work`, calling `onWait` whenever a Slack call it makes has to
     * wait its turn: a caller holding a place in a queue of its own can give
     * it up then, so waiting on Slack never holds other work back.
     */
    whileWaiting<T>(onWait: () => void, work: () => Promise<T>): Promise<T> {
      return context.run({ importance: context.getStore()?.importance ?? IMPORTANCE.normal, onWait }, work);
    },

    /** Calls waiting, for metrics and tests. */
    waiting(): number {
      let n = 0;
      for (const b of buckets.values()) n += b.waiters.length;
      return n;
    },

    /** Stops pacing: every waiting call fails with `PacerClosed` (the outbox takes the work up again). */
    close(): void {
      closed = true;
      for (const b of buckets.values()) {
        if (b.timer) clearTimeout(b.timer);
        for (const w of b.waiters.splice(0)) w.reject(new PacerClosed());
      }
    },
  };
}

export type Pacer = ReturnType<typeof createPacer>;

/** A pacer that never waits: for tests that do not exercise Slack's limits. */
export const unpaced = (): Pacer => createPacer({ limitOf: () => undefined, perChannel: new Set() });
