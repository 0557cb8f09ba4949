import { describe, expect, it } from '@jest/globals';
import { UserError } from '../../src/errors.js';
import { INCIDENTS_CHANNEL, memoryIncidents, typedBy } from '../support/memory/incidents.js';

describe('the incident service, on in-memory ports', () => {
  it('declares: records the incident and its first timeline entry, announces it, and opens a war room at P1', async () => {
    const w = memoryIncidents();
    const o = await w.service.declare({ severity: 'p1', title: 'Auth down' }, typedBy());
    expect(o).toMatchObject({ duplicate: false, failures: [], pending: false });
    expect(o.incident).toMatchObject({ id: 'INC-2026-1122-001', severity: 'P1', status: 'investigating' });
    expect(w.store.timeline(o.incident.id).map((e) => e.kind)).toEqual(['declared', 'war_room']);
    expect(w.chat.posted('alert').map((p) => p.channel)).toEqual([INCIDENTS_CHANNEL]);
    expect(o.incident.channelId).toBe(w.chat.channels.get(o.incident.channelName!)!.id);
    expect(w.chat.posted('card').map((p) => p.channel)).toEqual([o.incident.channelId]);
  });

  it('declares at P2 without a war room, and a repeated delivery records nothing new', async () => {
    const w = memoryIncidents();
    const first = await w.service.declare(
      { severity: 'P2', title: 'Slow search' },
      { ...typedBy(), idempotencyKey: 'k1' },
    );
    const again = await w.service.declare(
      { severity: 'P2', title: 'Slow search' },
      { ...typedBy(), idempotencyKey: 'k1' },
    );
    expect(first.incident.channelId).toBeNull();
    expect(again).toMatchObject({ duplicate: true, incident: { id: first.incident.id } });
    expect(w.store.incidents.size).toBe(1);
    expect(w.chat.posted('alert')).toHaveLength(1);
  });

  it('refuses a level the policy does not have, naming the ones it has', async () => {
    const w = memoryIncidents();
    await expect(w.service.declare({ severity: 'P9', title: 'x' }, typedBy())).rejects.toThrow(
      '`P9` is not a severity. Use one of P1, P2.',
    );
  });

  it('moves the status, on the record and in the war room, and refuses the same status twice', async () => {
    const w = memoryIncidents();
    const { incident } = await w.service.declare({ severity: 'P1', title: 'Auth down' }, typedBy());
    const ref = { id: incident.id };
    const o = await w.service.setStatus(ref, 'identified', 'bad deploy', typedBy('U0RESPOND1'));
    expect(o.incident.status).toBe('identified');
    expect(w.store.timeline(incident.id).at(-1)).toMatchObject({
      kind: 'status',
      actor: 'U0RESPOND1',
      text: 'Status investigating → identified: bad deploy',
    });
    expect(w.chat.posted('status').at(-1)).toMatchObject({ channel: incident.channelId });
    await expect(w.service.setStatus(ref, 'identified', undefined, typedBy())).rejects.toBeInstanceOf(UserError);
  });

  it('finds the incident from its war room, and says what to do outside one', async () => {
    const w = memoryIncidents();
    const { incident } = await w.service.declare({ severity: 'P1', title: 'Auth down' }, typedBy());
    const o = await w.service.postUpdate({}, { progress: 'rolled back' }, typedBy('U0RESPOND1', incident.channelId!));
    expect(o.incident.lastUpdate).toMatchObject({ progress: 'rolled back', author: 'U0RESPOND1' });
    await expect(w.service.postUpdate({}, { progress: 'x' }, typedBy())).rejects.toThrow(
      'This channel is not a war room',
    );
    await expect(w.service.acknowledge({ id: 'INC-2026-1122-999' }, typedBy())).rejects.toThrow(
      'There is no incident INC-2026-1122-999',
    );
  });

  it('a raise to a war-room level opens the room; nothing changes a resolved incident', async () => {
    const w = memoryIncidents();
    const { incident } = await w.service.declare({ severity: 'P2', title: 'Slow search' }, typedBy());
    const raised = await w.service.setSeverity({ id: incident.id }, 'P1', typedBy());
    expect(raised.incident).toMatchObject({ severity: 'P1', channelId: expect.stringMatching(/^C/) });
    await w.service.resolve({ id: incident.id }, 'fixed', typedBy());
    expect(
      w.chat
        .posted('resolved')
        .map((p) => p.channel)
        .sort(),
    ).toEqual([raised.incident.channelId]);
    // #incidents hears of the resolve through its announcement, edited in place (issue 13), not a second post.
    expect(w.chat.edits.some((e) => e.channel === INCIDENTS_CHANNEL && e.notice.kind === 'alert')).toBe(true);
    await expect(w.service.snooze({ id: incident.id }, 600_000, typedBy())).rejects.toThrow('is already resolved');
  });
});
