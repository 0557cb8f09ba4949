import { ChatFailure, StorageUnavailableError } from '../errors.js';
import type { Logger } from '../log.js';
import { createFailureRecorder, describe, type EffectFailure, STORAGE_FAILURE } from './effect-failures.js';
import type { Effect } from './effect-spec.js';
import { WaitingForRoom } from './effect-waits.js';
import type { Incident } from './incident.js';
import type { LiveMessages } from './live-messages.js';
import { createLiveUpkeep } from './live-upkeep.js';
import type { Notice, NoticePayload } from './notice.js';
import type { PagingEffects } from './paging-effects.js';
import { type Policy, severityOf } from './policy.js';
import type { Chat, Clock, EffectOutbox, IncidentStore, Timers } from './ports.js';
import { createWarRoomOpener } from './war-room.js';

/** Where callers have always found it. */
export type { EffectFailure } from './effect-failures.js';

export interface EffectRunnerDeps {
  readonly store: IncidentStore;
  readonly outbox: EffectOutbox;
  readonly chat: Chat;
  /** The update reminder and escalation DMs still live, edited as the incident moves on. */
  readonly live: LiveMessages;
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
  /** Carries out the effects that talk to PagerDuty. */
  readonly paging?: PagingEffects;
}

const ROOM_WAIT_MS = 5_000;
/** Incidents whose effects the sweep works on at once; Slack pacing, not this, bounds the calls. */
const SWEEP_CONCURRENCY = 8;

/**
 * Carries out an incident's recorded side effects, most important first. A
 * failure is not rolled back: it goes on the timeline and the effect is
 * retried later (after Slack's `Retry-After`, or a jittered backoff), because
 * the incident exists whether Slack answered or not. `run` never throws.
 */
export function createEffectRunner(deps: EffectRunnerDeps) {
  const { store, outbox, chat, clock, policy } = deps;
  const { recordFailure, schedule } = createFailureRecorder({
    ...deps,
    ...(deps.paging && { announceFailure: deps.paging.announceFailure }),
  });
  const openWarRoom = createWarRoomOpener({ store, chat, clock, policy });
  const live = createLiveUpkeep({ chat, live: deps.live, clock });

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
        await openWarRoom(incident, effect);
        // Posts that found no room wait a few seconds; the room is open now, so they need not.
        return outbox.wakeRoomPosts(incident.id, clock.now());
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
          await chat.setTopic(incident.channelId, incident);
        }
        if (incident.announceChannel && incident.announceTs)
          await chat.edit(incident.announceChannel, incident.announceTs, { kind: 'alert', incident });
        await live.settle(incident);
        return;
      case 'post': {
        if (spec.target === 'room' && !incident.channelId && severityOf(policy, incident.severity).warRoom)
          throw new WaitingForRoom();
        const channel = spec.target === 'room' ? (incident.channelId ?? deps.incidentsChannel) : deps.incidentsChannel;
        const posted = await chat.post(channel, await notice(incident, spec.notice), once(effect));
        if (spec.notice.kind === 'reminder') await live.reminded(incident, posted, spec.notice.due);
        return;
      }
      case 'dm': {
        const posted = await chat.dm(spec.to, await notice(incident, spec.notice), once(effect));
        if (spec.notice.kind === 'escalation') await live.paged(incident, posted, spec.notice);
        return;
      }
      default:
        if (!deps.paging) throw new Error(`no PagerDuty adapter for a ${spec.kind} effect`);
        return deps.paging.perform(incident, effect, spec);
    }
  }

  /**
   * Effects this process is working on. Their leases are extended together,
   * in one statement every `renewEveryMs`, while any is in progress (an
   * effect may wait minutes on Slack's rate limits).
   */
  const inFlight = new Set<number>();
  let renewing: ReturnType<typeof setInterval> | undefined;

  function renewLeases(): void {
    if (!inFlight.size) {
      clearInterval(renewing);
      renewing = undefined;
      return;
    }
    outbox
      .renew([...inFlight], clock.now())
      .catch((err: unknown) =>
        deps.log.warn({ err }, 'could not extend effect leases; another replica may take them over'),
      );
  }

  async function performLeased(effect: Effect): Promise<void> {
    inFlight.add(effect.id);
    if (deps.renewEveryMs && !renewing) {
      renewing = setInterval(renewLeases, deps.renewEveryMs);
      renewing.unref();
    }
    try {
      await perform(effect);
    } finally {
      inFlight.delete(effect.id);
    }
  }

  /** Carries out one claimed effect; false when this process is stopping and the run should end here. */
  async function runOne(effect: Effect, failures: EffectFailure[]): Promise<boolean> {
    try {
      await performLeased(effect);
      await outbox.complete(effect.id);
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
        await outbox.defer(effect.id, clock.now());
        return false;
      }
      if (err instanceof WaitingForRoom) {
        const at = err.until ?? new Date(clock.now().getTime() + ROOM_WAIT_MS);
        await outbox.defer(effect.id, at);
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
      let effect = await outbox.claim(incidentId, clock.now());
      while (effect && (await runOne(effect, failures))) effect = await outbox.claim(incidentId, clock.now());
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

  /** Runs due effects for every incident that has some (the sweep, and start-up), several incidents at once. */
  async function runAllDue(): Promise<void> {
    const due = await outbox.incidentsWithDue(clock.now());
    const workers = Array.from({ length: Math.min(SWEEP_CONCURRENCY, due.length) }, async () => {
      for (let id = due.shift(); id; id = due.shift()) await run(id);
    });
    await Promise.all(workers);
  }

  return { run, runAllDue };
}

export type EffectRunner = ReturnType<typeof createEffectRunner>;

/**
 * A message's effect key: the message carries it, and a retry looks for it
 * before posting again, but only when an earlier attempt may have posted.
 */
function once(effect: Effect): { key: string; retry: boolean } {
  return { key: `effect-${effect.id}`, retry: effect.unsure };
}
