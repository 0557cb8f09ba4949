import { describe, expect, it } from '@jest/globals';
import { ChatFailure } from '../../src/errors.js';
import { warRoomName } from '../../src/incident/incident.js';
import { memoryIncidents, typedBy } from '../support/memory/incidents.js';

const ID = 'INC-2026-1122-001';

describe('opening the war room', () => {
  it('moves on to the next name when someone else has the channel', async () => {
    const w = memoryIncidents();
    w.chat.channelOfOthers(warRoomName(ID, 'Auth down'));
    const { incident } = await w.service.declare({ severity: 'P1', title: 'Auth down' }, typedBy());
    expect(incident.channelName).toBe(warRoomName(ID, 'Auth down', 2));
    expect(w.chat.posted('card').map((p) => p.channel)).toEqual([incident.channelId]);
  });

  it('after an answer lost on the way, adopts the channel it made instead of opening a second room', async () => {
    const w = memoryIncidents();
    w.chat.failNext('createChannel', new ChatFailure('request_timeout', true, undefined, true), { done: true });
    const first = await w.service.declare({ severity: 'P1', title: 'Auth down' }, typedBy());
    expect(first.incident.channelId).toBeNull();
    await w.advance(5_000);
    const incident = (await w.store.get(first.incident.id))!;
    expect(incident.channelName).toBe(warRoomName(ID, 'Auth down'));
    expect(w.chat.channels.size).toBe(1);
    expect(w.store.timeline(incident.id).find((e) => e.kind === 'war_room')!.text).toContain(
      'adopted after an interrupted attempt',
    );
    // The declarer's reply went out before the room existed: they are told when it opens.
    expect(w.chat.dms.filter((d) => d.notice.kind === 'room_ready').map((d) => d.channel)).toEqual(['U0DECLARER']);
  });

  it('does not adopt its own archived channel: the room gets the next name', async () => {
    const w = memoryIncidents();
    w.chat.channelOfOthers(warRoomName(ID, 'Auth down'), { ours: true, archived: true });
    const { incident } = await w.service.declare({ severity: 'P1', title: 'Auth down' }, typedBy());
    expect(incident.channelName).toBe(warRoomName(ID, 'Auth down', 2));
  });
});
