import type { Logger } from '../log.js';
import { formatDuration } from './duration.js';
import { commander, type Incident, warRoomName } from './incident.js';
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
  /** Backoff before the n-th retry, capped; `Retry-After` wins when Slack sends one. */
  readonly backoffMs?: (attempt: number) => number;
}

const MAX_ATTEMPTS = 20;
const NAME_ATTEMPTS = 20;
const ROOM_WAIT_MS = 5_000;

/** A war-room post found no war room yet: it waits, without counting as a failure. */
class WaitingForRoom extends Error {}

/**
 * Carries out an incident's recorded side effects. A failure is not rolled
 * back: it goes on the timeline and the effect is retried later, because the
 * incident exists whether Slack answered or not.
 */
export function createEffectRunner(deps: EffectRunnerDeps) {
  const { store, chat, clock, policy } = deps;
  const backoff = deps.backoffMs ?? ((n: number) => Math.min(5_000 * 2 ** (n - 1), 10 * 60_000));

  async function mustGet(id: string): Promise<Incident> {
    const incident = await store.get(id);
    if (!incident) throw new Error(`incident ${id} vanished`);
    return incident;
  }

  function topic(i: Incident): string {
    return `${i.severity} · ${i.status} · IC <@${commander(i)}> · ${i.id}: ${i.title}`.slice(0, 250);
  }

  async function openWarRoom(incident: Incident): Promise<void> {
    let current = incident;
    if (!current.channelId) {
      let created: { id: string; name: string } | undefined;
      for (let attempt = 1; !created && attempt <= NAME_ATTEMPTS; attempt++) {
        try {
          created = await chat.createChannel(warRoomName(current.id, current.title, attempt));
        } catch (err) {
          if (!(err instanceof ChatFailure && err.code === 'name_taken')) throw err;
        }
      }
      if (!created) throw new ChatFailure('name_taken', true);
      await store.setChannel(current.id, created.id, created.name);
      await store.addTimeline(current.id, {
        at: clock.now(),
        actor: 'firebreak',
        kind: 'war_room',
        text: `War room <#${created.id}> opened`,
        data: { channelId: created.id, name: created.name },
      });
      current = await mustGet(current.id);
    }
    const channelId = current.channelId!;
    const sev = severityOf(policy, current.severity);
    await chat.invite(channelId, unique([current.declaredBy, ...Object.values(current.roles), ...sev.responders]));
    await chat.setTopic(channelId, topic(current));
    if (!current.cardTs) {
      const card = await chat.post(channelId, { kind: 'card', incident: current });
      await store.setCard(current.id, card.ts);
      await chat.pin(channelId, card.ts);
    }
    if (current.announceTs && current.announceChannel)
      await chat.edit(current.announceChannel, current.announceTs, { kind: 'alert', incident: current });
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
        return openWarRoom(incident);
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
          await chat.setTopic(incident.channelId, topic(incident));
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

  /** Runs every effect of the incident that is due now; returns what failed. */
  async function run(incidentId: string): Promise<EffectFailure[]> {
    const failures: EffectFailure[] = [];
    for (
      let effect = await store.claimEffect(incidentId, clock.now());
      effect;
      effect = await store.claimEffect(incidentId, clock.now())
    ) {
      try {
        await perform(effect);
        await store.completeEffect(effect.id);
        if (effect.attempts > 1) {
          await store.addTimeline(incidentId, {
            at: clock.now(),
            actor: 'firebreak',
            kind: 'effect_recovered',
            text: `${describe(effect)}: done after ${effect.attempts} attempts`,
          });
        }
      } catch (err) {
        if (err instanceof WaitingForRoom) {
          const at = new Date(clock.now().getTime() + ROOM_WAIT_MS);
          await store.deferEffect(effect.id, at);
          await schedule(incidentId, at);
          continue;
        }
        failures.push(await recordFailure(effect, err));
      }
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
    const delay = Math.max(failure?.retryAfterMs ?? 0, backoff(effect.attempts));
    const retryAt = new Date(clock.now().getTime() + delay);
    await store.retryEffect(effect.id, retryAt, code);
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

  async function schedule(incidentId: string, at: Date): Promise<void> {
    await deps.timers
      .retryEffects(incidentId, at)
      .catch((e: unknown) =>
        deps.log.warn({ err: e, incidentId }, 'could not schedule a retry; the sweep will pick it up'),
      );
  }

  /** Runs due effects for every incident that has some: the sweep, and start-up. */
  async function runAllDue(): Promise<void> {
    for (const id of await store.incidentsWithDueEffects(clock.now())) await run(id);
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

/** A message's effect key: a retried effect checks for it before posting again. */
function once(effect: Effect): { key: string; retry: boolean } {
  return { key: `effect-${effect.id}`, retry: effect.attempts > 1 };
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
