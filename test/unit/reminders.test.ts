import { describe, expect, it } from '@jest/globals';
import { type MemoryIncidents, memoryIncidents, typedBy } from '../support/memory/incidents.js';

const MIN = 60_000;

async function declared(w: MemoryIncidents, severity = 'P1') {
  const { incident } = await w.service.declare({ severity, title: 'Auth down' }, typedBy());
  return incident;
}
const reminders = (w: MemoryIncidents) => w.chat.posted('reminder');
const escalations = (w: MemoryIncidents) => w.chat.posted('escalation');
const dmsTo = (w: MemoryIncidents, user: string) => w.chat.dms.filter((d) => d.channel === user);

describe('the update reminder', () => {
  it('reminds the war room once when an update falls due, then starts the next interval', async () => {
    const w = memoryIncidents();
    const i = await declared(w);
    await w.advance(29 * MIN);
    expect(reminders(w)).toHaveLength(0);
    await w.advance(1 * MIN);
    expect(reminders(w)).toHaveLength(1);
    expect(reminders(w)[0]!.channel).toBe(i.channelId);
    // The same prompt delivered twice, and a sweep after it, remind no one again.
    expect(await w.reminders.fireUpdate(i.id, i.nextUpdateDue!.getTime())).toBe(false);
    await w.reminders.sweep();
    expect(reminders(w)).toHaveLength(1);
    expect((await w.store.get(i.id))!.nextUpdateDue).toEqual(new Date(i.declaredAt.getTime() + 60 * MIN));
    await w.advance(30 * MIN);
    expect(reminders(w)).toHaveLength(2);
  });

  it('an update posted in time moves the clock, so the old prompt reminds no one', async () => {
    const w = memoryIncidents();
    const i = await declared(w);
    await w.advance(20 * MIN);
    await w.service.postUpdate({ id: i.id }, { progress: 'rolled back' }, typedBy());
    await w.advance(10 * MIN);
    expect(reminders(w)).toHaveLength(0);
    await w.advance(20 * MIN);
    expect(reminders(w)).toHaveLength(1);
  });

  it('switches cadence with the severity: a P2 raised to P1 is reminded at P1’s 30 minutes, not P2’s hour', async () => {
    const w = memoryIncidents();
    const i = await declared(w, 'P2');
    await w.advance(10 * MIN);
    await w.service.setSeverity({ id: i.id }, 'P1', typedBy());
    await w.advance(20 * MIN);
    expect(reminders(w)).toHaveLength(1);
  });

  it('stops when the incident is resolved', async () => {
    const w = memoryIncidents();
    const i = await declared(w);
    await w.service.resolve({ id: i.id }, 'fixed', typedBy());
    await w.advance(120 * MIN);
    await w.reminders.sweep();
    expect(reminders(w)).toHaveLength(0);
  });
});

describe('the escalation chain', () => {
  it('notifies each step’s people once, in the war room and by DM, at its time', async () => {
    const w = memoryIncidents();
    const i = await declared(w);
    await w.advance(5 * MIN);
    expect(escalations(w)).toHaveLength(1);
    expect(dmsTo(w, 'U0ONCALL01')).toHaveLength(1);
    expect(await w.reminders.fireEscalation(i.id, 'P1', 0)).toBe(false);
    await w.advance(10 * MIN);
    expect(escalations(w)).toHaveLength(2);
    expect(dmsTo(w, 'S0LEADS001')).toHaveLength(1);
    await w.reminders.sweep();
    expect(escalations(w)).toHaveLength(2);
    expect((await w.store.get(i.id))!.escalated).toEqual(['P1/0', 'P1/1']);
  });

  it('stops once the incident is acknowledged', async () => {
    const w = memoryIncidents();
    const i = await declared(w);
    await w.advance(5 * MIN);
    await w.service.acknowledge({ id: i.id }, typedBy('U0ONCALL01'));
    await w.advance(20 * MIN);
    await w.reminders.sweep();
    expect(escalations(w)).toHaveLength(1);
    expect(dmsTo(w, 'S0LEADS001')).toHaveLength(0);
  });

  it('skips steps of a level the incident has left, and follows the new level’s chain', async () => {
    const w = memoryIncidents();
    const i = await declared(w);
    await w.advance(1 * MIN);
    await w.service.setSeverity({ id: i.id }, 'P2', typedBy());
    await w.advance(4 * MIN);
    expect(dmsTo(w, 'U0ONCALL01')).toHaveLength(0);
    await w.advance(5 * MIN);
    expect(dmsTo(w, 'U0ONCALL02')).toHaveLength(1);
  });

  it('stops when the incident is resolved', async () => {
    const w = memoryIncidents();
    const i = await declared(w);
    await w.service.resolve({ id: i.id }, undefined, typedBy());
    await w.advance(30 * MIN);
    expect(escalations(w)).toHaveLength(0);
  });

  it('the sweep fires a step whose prompt was lost, once', async () => {
    const w = memoryIncidents();
    await declared(w);
    w.timers.prompts.length = 0;
    w.clock.advance(6 * MIN);
    await w.reminders.sweep();
    await w.reminders.sweep();
    expect(dmsTo(w, 'U0ONCALL01')).toHaveLength(1);
  });
});
