import { ChatFailure } from '../errors.js';
import type { Logger } from '../log.js';
import { formatDuration } from './duration.js';
import type { Effect } from './effect-spec.js';
import { describePaging } from './page-rules.js';
import { PagerFailure } from './paging-ports.js';
import type { Clock, EffectOutbox, IncidentStore, Timers } from './ports.js';

/** Outcome of one effect that did not succeed, for the person who caused it. */
export interface EffectFailure {
  readonly what: string;
  readonly code: string;
  readonly retryAt: Date | null;
  /** Who refused: Slack unless said otherwise. */
  readonly service?: string;
}

/** What a storage failure after the change was recorded looks like to the person who made it. */
export const STORAGE_FAILURE = 'storage_unavailable';

export interface FailureDeps {
  readonly store: IncidentStore;
  readonly outbox: EffectOutbox;
  readonly timers: Timers;
  readonly clock: Clock;
  readonly log: Logger;
  /** Backoff before the n-th retry, capped; jitter is added, and `Retry-After` replaces it. */
  readonly backoffMs?: (attempt: number) => number;
  /** Uniform in [0, 1): the jitter source. */
  readonly random?: () => number;
  /** Told of a failure when it first goes on the timeline, and when it is given up (a war-room message). */
  readonly announceFailure?: (effect: Effect, failure: EffectFailure) => Promise<void>;
}

const MAX_ATTEMPTS = 20;

/**
 * What happens when an effect fails: it is logged, put on the timeline once,
 * and retried after Slack's `Retry-After` or a backoff, with jitter; after
 * MAX_ATTEMPTS, or on an error retrying cannot fix, it is given up and the
 * timeline says to do it by hand.
 */
export function createFailureRecorder(deps: FailureDeps) {
  const { store, outbox, clock } = deps;
  const random = deps.random ?? Math.random;
  const backoff = deps.backoffMs ?? defaultBackoff;

  async function recordFailure(effect: Effect, err: unknown): Promise<EffectFailure> {
    const result = await record(effect, err);
    if (effect.attempts === 1 || !result.retryAt) await deps.announceFailure?.(effect, result);
    return result;
  }

  async function record(effect: Effect, err: unknown): Promise<EffectFailure> {
    const failure = err instanceof ChatFailure || err instanceof PagerFailure ? err : undefined;
    const service = err instanceof PagerFailure ? { service: 'PagerDuty' } : {};
    const code = failure?.code ?? (err instanceof Error ? err.message : String(err));
    const what = describe(effect);
    const retryable = (failure?.retryable ?? true) && effect.attempts < MAX_ATTEMPTS;
    deps.log.warn(
      {
        incidentId: effect.incidentId,
        effect: effect.spec.kind,
        attempts: effect.attempts,
        code,
        err: failure ? undefined : err,
      },
      'side effect failed',
    );
    if (!retryable) {
      await outbox.fail(effect.id, code);
      await store.addTimeline(effect.incidentId, {
        at: clock.now(),
        actor: 'firebreak',
        kind: 'effect_failed',
        text: `${what} failed (${code}); gave up after ${effect.attempts} attempt(s). Do it by hand.`,
        data: { effectId: effect.id, code },
      });
      return { what, code, retryAt: null, ...service };
    }
    const delay = retryDelay(effect, failure);
    const retryAt = new Date(clock.now().getTime() + delay);
    // Anything but a clear "no" from Slack may have done the work: the retry then looks before it posts.
    await outbox.retry(effect.id, retryAt, code, failure?.ambiguous ?? true);
    if (effect.attempts === 1) {
      await store.addTimeline(effect.incidentId, {
        at: clock.now(),
        actor: 'firebreak',
        kind: 'effect_failed',
        text: `${what} failed (${code}); retrying in ${formatDuration(delay)}`,
        data: { effectId: effect.id, code },
      });
    }
    await schedule(effect.incidentId, retryAt);
    return { what, code, retryAt, ...service };
  }

  /**
   * Slack's `Retry-After` is the answer when it sends one; otherwise the
   * backoff. Either way with jitter, so effects that failed together do not
   * all come back in the same instant.
   */
  function retryDelay(effect: Effect, failure: ChatFailure | PagerFailure | undefined): number {
    return retryDelayMs(effect.attempts, failure?.retryAfterMs, backoff, random);
  }

  async function schedule(incidentId: string, at: Date): Promise<void> {
    await deps.timers
      .retryEffects(incidentId, at)
      .catch((e: unknown) =>
        deps.log.warn({ err: e, incidentId }, 'could not schedule a retry; the sweep will pick it up'),
      );
  }

  return { recordFailure, schedule };
}

/** Backoff before the n-th retry: 5 s, doubling, at most 10 minutes. */
export const defaultBackoff = (n: number): number => Math.min(5_000 * 2 ** (n - 1), 10 * 60_000);

/**
 * How long to wait before attempt `attempts + 1`: the service's own
 * `Retry-After` when it sent one, else the backoff; either way with jitter,
 * so work that failed together does not all come back in the same instant.
 */
export function retryDelayMs(
  attempts: number,
  retryAfterMs: number | undefined,
  backoff: (n: number) => number,
  random: () => number,
): number {
  if (retryAfterMs !== undefined) return retryAfterMs + Math.round(random() * 1_000);
  return Math.round(backoff(attempts) * (0.8 + 0.4 * random()));
}

/** What an effect does, in words for the timeline and the person who caused it. */
export function describe(effect: Effect): string {
  const spec = effect.spec;
  switch (spec.kind) {
    case 'war_room':
      return 'Opening the war room';
    case 'announce':
      return 'Announcing in the incidents channel';
    case 'refresh':
      return 'Refreshing the summary card';
    case 'invite':
      return 'Inviting people to the war room';
    case 'post':
      return `Posting the ${spec.notice.kind} message`;
    case 'dm':
      return `Messaging ${spec.to} directly`;
    default:
      return describePaging(spec);
  }
}
