import { ChatFailure } from '../errors.js';
import type { Effect } from './effect-spec.js';
import { type Incident, warRoomName } from './incident.js';
import { type Policy, severityOf } from './policy.js';
import type { Chat, Clock, IncidentStore } from './ports.js';

export interface WarRoomDeps {
  readonly store: IncidentStore;
  readonly chat: Chat;
  readonly clock: Clock;
  readonly policy: Policy;
}

const NAME_ATTEMPTS = 20;

/**
 * Opens an incident's war room, or finishes opening it. The name is recorded
 * before Slack is asked for the channel, so a retry after a crash, a lost
 * answer or a Postgres failure finds `name_taken` for its own name and adopts
 * the channel it already made, instead of opening a second room. A name taken
 * by someone else moves on to the next suffix.
 */
export function createWarRoomOpener(deps: WarRoomDeps) {
  const { store, chat, clock, policy } = deps;

  async function mustGet(id: string): Promise<Incident> {
    const incident = await store.get(id);
    if (!incident) throw new Error(`incident ${id} vanished`);
    return incident;
  }

  /** The attempt the recorded intent was made at, so a retry starts from the same name. */
  function firstAttempt(i: Incident): number {
    for (let n = 1; i.warRoomIntent && n <= NAME_ATTEMPTS; n++)
      if (warRoomName(i.id, i.title, n) === i.warRoomIntent) return n;
    return 1;
  }

  async function createOrAdopt(i: Incident): Promise<{ id: string; name: string; adopted: boolean }> {
    let intent = i.warRoomIntent;
    for (let attempt = firstAttempt(i); attempt <= NAME_ATTEMPTS; attempt++) {
      const name = warRoomName(i.id, i.title, attempt);
      if (name !== intent) {
        await store.setWarRoomIntent(i.id, name);
        intent = name;
      }
      try {
        return { ...(await chat.createChannel(name)), adopted: false };
      } catch (err) {
        if (!(err instanceof ChatFailure && err.code === 'name_taken')) throw err;
      }
      const found = await chat.findChannel(name);
      // Slack says the name is taken but does not list it yet: try again later rather than guess.
      if (!found) throw new ChatFailure('name_taken', true);
      if (found.createdByUs && !found.archived) return { id: found.id, name: found.name, adopted: true };
    }
    throw new ChatFailure('name_taken', true);
  }

  /** Creates (or adopts) the channel, invites people, sets the topic, posts and pins the card. */
  return async function openWarRoom(incident: Incident, effect: Effect): Promise<void> {
    let current = incident;
    if (!current.channelId) {
      const room = await createOrAdopt(current);
      if (await store.setChannel(current.id, room.id, room.name)) {
        await store.mutate(current.id, undefined, () => ({
          timeline: [
            {
              at: clock.now(),
              actor: 'firebreak',
              kind: 'war_room',
              text: room.adopted
                ? `War room #${room.name} opened (adopted after an interrupted attempt)`
                : `War room #${room.name} opened`,
              data: { channelId: room.id, name: room.name, adopted: room.adopted },
            },
          ],
          // A retry runs after the declarer's reply went out (or was lost with a crash): tell them.
          effects: effect.attempts > 1 ? [{ kind: 'dm', to: current.declaredBy, notice: { kind: 'room_ready' } }] : [],
        }));
      }
      current = await mustGet(current.id);
    }
    const channelId = current.channelId!;
    const sev = severityOf(policy, current.severity);
    await chat.invite(channelId, [
      ...new Set([current.declaredBy, ...Object.values(current.roles), ...sev.responders]),
    ]);
    await chat.setTopic(channelId, current);
    if (!current.cardTs) {
      const card = await chat.post(
        channelId,
        { kind: 'card', incident: current },
        { key: `card-${current.id}`, retry: effect.unsure },
      );
      await store.setCard(current.id, card.ts);
      await chat.pin(channelId, card.ts);
    }
    if (current.announceTs && current.announceChannel)
      await chat.edit(current.announceChannel, current.announceTs, { kind: 'alert', incident: current });
  };
}
