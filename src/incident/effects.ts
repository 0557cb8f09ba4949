import { StorageUnavailableError } from '../errors.js';
import type { Logger } from '../log.js';
import { formatDuration } from './duration.js';
import type { Incident } from './incident.js';
import { type Policy, severityOf } from './policy.js';
import {
  type Chat,
  ChatFailure,
  type Clock,
  type Effect,
  type IncidentStore,
  type Notice,
  type NoticePayload,
  type Timers,
} from './ports.js';
import { createWarRoomOpener, warRoomTopic } from './war-room.js';

/** Outcome of one effect that did not succeed, for the person who caused it. */
export interface EffectFailure {
  readonly what: string;
  readonly code: string;
  readonly retryAt: Date | null;
}

export interface EffectRunnerDeps {
  readonly store: IncidentStore;
  readonly chat: Chat;
  readonly timers: Timers;
  readonly clock: Clock;
  readonly policy: Policy;
  readonly incidentsChannel: string;
  readonly log: Logger;
  /** Backoff before the n-th retry, capped; jitter is added, and `Retry-After` replaces it. */
  readonly backoffMs?: (attempt: number) => number;
  /** How often the lease of an effect still in progress is extended; a third of the lease is right. */
  readonly renewEveryMs?: number;
  /** Uniform in [0, 1): the jitter source, injectable so tests can pin it. */
  readonly random?: () => number;
}

const MAX_ATTEMPTS = 20;
const ROOM_WAIT_MS = 5_000;
/** Incidents whose effects the sweep works on at once; Slack pacing, not this, bounds the calls. */
const SWEEP_CONCURRENCY = 8;

/** A war-room post found no war room yet: it waits, without counting as a failure. */
class WaitingForRoom extends Error {}

/** What a storage failure after the change was recorded looks like to the person who made it. */
export const STORAGE_FAILURE = 'storage_unavailable';

/**
 * Carries out an incident's recorded side effects, most important first. A
 * failure is not rolled back: it goes on the timeline and the effect is
 * retried later (after Slack's `Retry-After`, or a jittered backoff), because
 * the incident exists whether Slack answered or not. `run` never throws.
 */
export function createEffectRunner(deps: EffectRunnerDeps) {
  const { store, chat, clock, policy } = deps;
  const random = deps.random ?? Math.random;
  const backoff = deps.backoffMs ?? ((n: number) => Math.min(5_000 * 2 ** (n - 1), 10 * 60_000));
  const openWarRoom = createWarRoomOpener({ store, chat, clock, policy });

  async function mustGet(id: string): Promise<Incident> {
    const incident = await store.get(id);
    if (!incident) throw new Error(`incident ${id} vanished`);
    return incident;
  }

  /** Builds the notice from current state; a reminder lists what happened since the last update. */
  async function notice(incident: Incident, payload: NoticePayload): Promise<Notice> {
    if (payload.kind !== 'reminder') return { ...payload, incident } as Notice;
    const since = await store.timelineSince(incident.id, incident.lastUpdate?.at ?? incident.declaredAt);
    return { kind: 'reminder', incident, due: payload.due, since: since.filter((e) => e.kind !== 'update_overdue') };
  }

  async function perform(effect: Effect): Promise<void> {
    const incident = await mustGet(effect.incidentId);
    const spec = effect.spec;
    switch (spec.kind) {
      case 'war_room':
        return openWarRoom(incident, effect);
      case 'announce': {
        if (incident.announceTs) return;
        const posted = await chat.post(deps.incidentsChannel, { kind: 'alert', incident }, once(effect));
        await store.setAnnouncement(incident.id, posted.channel, posted.ts);
        return;
      }
      case 'invite':
        if (incident.channelId) await chat.invite(incident.channelId, spec.users);
        return;
      case 'refresh':
        if (incident.channelId && incident.cardTs) {
          await chat.edit(incident.channelId, incident.cardTs, { kind: 'card', incident });
          await chat.setTopic(incident.channelId, warRoomTopic(incident));
        }
        if (incident.announceChannel && incident.announceTs)
          await chat.edit(incident.announceChannel, incident.announceTs, { kind: 'alert', incident });
        return;
      case 'post': {
        if (spec.target === 'room' && !incident.channelId && severityOf(policy, incident.severity).warRoom)
          throw new WaitingForRoom();
        const channel = spec.target === 'room' ? (incident.channelId ?? deps.incidentsChannel) : deps.incidentsChannel;
        await chat.post(channel, await notice(incident, spec.notice), once(effect));
        return;
      }
      case 'dm':
        await chat.dm(spec.to, await notice(incident, spec.notice), once(effect));
        return;
    }
  }

  /** Performs one claimed effect, extending its lease while it waits (on Slack's rate limits, say). */
  async function performLeased(effect: Effect): Promise<void> {
    const every = deps.renewEveryMs;
    const renew =
      every &&
      setInterval(() => {
        store
          .renewEffect(effect.id, clock.now())
          .catch((err: unknown) => deps.log.warn({ err, effectId: effect.id }, 'could not extend an effect lease'));
      }, every);
    if (renew) renew.unref();
    try {
      await perform(effect);
    } finally {
      if (renew) clearInterval(renew);
    }
  }

  /** Carries out one claimed effect; false when this process is stopping and the run should end here. */
  async function runOne(effect: Effect, failures: EffectFailure[]): Promise<boolean> {
    try {
      await performLeased(effect);
      await store.completeEffect(effect.id);
      if (effect.attempts > 1) {
        await store.addTimeline(effect.incidentId, {
          at: clock.now(),
          actor: 'firebreak',
          kind: 'effect_recovered',
          text: `${describe(effect)}: done after ${effect.attempts} attempts`,
        });
      }
    } catch (err) {
      if (err instanceof StorageUnavailableError) throw err;
      if (err instanceof ChatFailure && err.code === 'stopping') {
        // Not a failure: due again at once, for whichever process is still running (or the next one).
        await store.deferEffect(effect.id, clock.now());
        return false;
      }
      if (err instanceof WaitingForRoom) {
        const at = new Date(clock.now().getTime() + ROOM_WAIT_MS);
        await store.deferEffect(effect.id, at);
        await schedule(effect.incidentId, at);
        return true;
      }
      failures.push(await recordFailure(effect, err));
    }
    return true;
  }

  /**
   * Runs every effect of the incident that is due now; returns what failed.
   * Postgres failing midway is reported as one `storage_unavailable` failure:
   * the change itself is recorded, and a leased effect is taken up again
   * once storage is back.
   */
  async function run(incidentId: string): Promise<EffectFailure[]> {
    const failures: EffectFailure[] = [];
    try {
      let effect = await store.claimEffect(incidentId, clock.now());
      while (effect && (await runOne(effect, failures))) effect = await store.claimEffect(incidentId, clock.now());
    } catch (err) {
      const storage = err instanceof StorageUnavailableError;
      deps.log.warn({ err, incidentId }, 'side effects interrupted; the sweep takes them up again');
      failures.push({
        what: 'Carrying out the Slack side of this',
        code: storage ? STORAGE_FAILURE : 'internal_error',
        retryAt: null,
      });
    }
    return failures;
  }

  async function recordFailure(effect: Effect, err: unknown): Promise<EffectFailure> {
    const failure = err instanceof ChatFailure ? err : undefined;
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
      await store.failEffect(effect.id, code);
      await store.addTimeline(effect.incidentId, {
        at: clock.now(),
        actor: 'firebreak',
        kind: 'effect_failed',
        text: `${what} failed (${code}); gave up after ${effect.attempts} attempt(s). Do it by hand.`,
        data: { effectId: effect.id, code },
      });
      return { what, code, retryAt: null };
    }
    const delay = retryDelay(effect, failure);
    const retryAt = new Date(clock.now().getTime() + delay);
    // Anything but a clear "no" from Slack may have done the work: the retry then looks before it posts.
    await store.retryEffect(effect.id, retryAt, code, failure?.ambiguous ?? true);
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
    return { what, code, retryAt };
  }

  /**
   * Slack's `Retry-After` is the answer when it sends one; otherwise the
   * backoff. Either way with jitter, so effects that failed together do not
   * all come back in the same instant.
   */
  function retryDelay(effect: Effect, failure: ChatFailure | undefined): number {
    if (failure?.retryAfterMs !== undefined) return failure.retryAfterMs + Math.round(random() * 1_000);
    return Math.round(backoff(effect.attempts) * (0.8 + 0.4 * random()));
  }

  async function schedule(incidentId: string, at: Date): Promise<void> {
    await deps.timers
      .retryEffects(incidentId, at)
      .catch((e: unknown) =>
        deps.log.warn({ err: e, incidentId }, 'could not schedule a retry; the sweep will pick it up'),
      );
  }

  /** Runs due effects for every incident that has some (the sweep, and start-up), several incidents at once. */
  async function runAllDue(): Promise<void> {
    const due = await store.incidentsWithDueEffects(clock.now());
    const workers = Array.from({ length: Math.min(SWEEP_CONCURRENCY, due.length) }, async () => {
      for (let id = due.shift(); id; id = due.shift()) await run(id);
    });
    await Promise.all(workers);
  }

  return { run, runAllDue };
}

export type EffectRunner = ReturnType<typeof createEffectRunner>;

function describe(effect: Effect): string {
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
  }
}

/**
 * A message's effect key: the message carries it, and a retry looks for it
 * before posting again, but only when an earlier attempt may have posted.
 */
function once(effect: Effect): { key: string; retry: boolean } {
  return { key: `effect-${effect.id}`, retry: effect.unsure };
}
