import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Harness, startHarness, waitFor } from '../support/harness.js';

let h: Harness;
let id: string;
let roomId: string;
beforeAll(async () => {
  h = await startHarness();
  const text = await h.reply((await h.command('declare P1 Checkout failing')).responseUrl);
  id = /INC-\d{4}-\d{4}-\d{3}/.exec(text)![0];
  roomId = (await h.sql.query('SELECT channel_id FROM incidents WHERE id = $1', [id])).rows[0].channel_id;
});
afterAll(async () => {
  await h.stop();
});

const room = () => h.slack.channels.get(roomId)!;
const card = () => JSON.stringify(room().messages.find((m) => room().pins.has(m.ts))!.blocks);
const inRoom = (text: string) => h.command(text, { channel: roomId });
const timelineKinds = async () =>
  (await h.sql.query('SELECT kind FROM timeline WHERE incident_id = $1 ORDER BY id', [id])).rows.map((r) => r.kind);

describe('commands in a war room apply to its incident', () => {
  it('changes status, shows it on the card and records who did it', async () => {
    const reply = await h.reply((await inRoom('status identified bad deploy of cart-api')).responseUrl);
    expect(reply).toContain(`${id} is now *identified*`);
    await waitFor(() => card().includes('Identified'));
    const row = (await h.sql.query(`SELECT actor, text FROM timeline WHERE incident_id = $1 AND kind = 'status'`, [id]))
      .rows[0];
    expect(row).toEqual({ actor: 'U0DECLARER', text: 'Status investigating → identified: bad deploy of cart-api' });
  });

  it('posts the templated INCIDENT UPDATE and edits the card in place', async () => {
    const before = room().messages.length;
    await h.reply((await inRoom('update rolled back cart-api to v41 next: watch error rate eta: 15m')).responseUrl);
    const update = await waitFor(() =>
      room()
        .messages.slice(before)
        .find((m) => m.text.startsWith('INCIDENT UPDATE')),
    );
    const blocks = JSON.stringify(update.blocks);
    for (const field of ['Service', 'Status', 'Progress', 'Next steps', 'ETA', 'Next update due'])
      expect(blocks).toContain(field);
    expect(blocks).toContain('rolled back cart-api to v41');
    await waitFor(() => card().includes('rolled back cart-api to v41'));
    expect(room().pins.size).toBe(1);
  });

  it('names roles; the IC is the declarer until someone else is named', async () => {
    expect(card()).toContain('*Incident commander*\\ndana');
    await h.reply((await inRoom('role ic <@U0RESPOND1|remy>')).responseUrl);
    await waitFor(() => card().includes('*Incident commander*\\nremy'));
    expect(room().members.has('U0RESPOND1')).toBe(true);
    await h.reply((await inRoom('role scribe <@U0RESPOND2>')).responseUrl);
    await waitFor(() => card().includes('*Scribe*\\nola'));
  });

  it('takes an explicit ID from another channel', async () => {
    const reply = await h.reply((await h.command(`status ${id} monitoring`)).responseUrl);
    expect(reply).toContain('monitoring');
  });

  it('asks for an ID outside a war room', async () => {
    const reply = await h.reply((await h.command('status monitoring')).responseUrl);
    expect(reply).toContain('not a war room');
    expect(reply).toContain('/incident status INC-');
  });

  it('lists open incidents and shows help', async () => {
    expect(await h.reply((await h.command('list')).responseUrl)).toContain(id);
    const help = await h.command('help');
    expect(JSON.parse(help.body).text).toContain('/incident declare');
  });

  it('resolves with the duration, in the war room and the incidents channel', async () => {
    await h.reply((await inRoom('resolve rollback fixed it')).responseUrl);
    await waitFor(() => room().messages.some((m) => m.text.startsWith(`INCIDENT RESOLVED ${id} after`)));
    const incidents = h.slack.channelByName('incidents')!;
    await waitFor(() => incidents.messages.some((m) => m.text.startsWith(`INCIDENT RESOLVED ${id} after`)));
    const row = (await h.sql.query('SELECT status, resolved_at, resolution FROM incidents WHERE id = $1', [id]))
      .rows[0];
    expect(row.status).toBe('resolved');
    expect(row.resolution).toBe('rollback fixed it');
    expect(await h.reply((await h.command('list')).responseUrl)).not.toContain(id);
    const again = await h.reply((await inRoom('update more')).responseUrl);
    expect(again).toContain('already resolved');
    expect(await timelineKinds()).toEqual([
      'declared',
      'war_room',
      'status',
      'update',
      'role',
      'role',
      'status',
      'resolved',
    ]);
  });
});

describe('severity re-applies the policy', () => {
  it('opens a war room when a P2 is raised to P1', async () => {
    const text = await h.reply((await h.command('declare P2 Search is slow')).responseUrl);
    const p2 = /INC-\d{4}-\d{4}-\d{3}/.exec(text)![0];
    expect((await h.sql.query('SELECT channel_id FROM incidents WHERE id = $1', [p2])).rows[0].channel_id).toBeNull();
    const reply = await h.reply((await h.command(`severity ${p2} P1`)).responseUrl);
    expect(reply).toContain('is now *P1*');
    const channelId = await waitFor(
      async () => (await h.sql.query('SELECT channel_id FROM incidents WHERE id = $1', [p2])).rows[0].channel_id,
    );
    const newRoom = h.slack.channels.get(channelId)!;
    expect(newRoom.name.startsWith(p2.toLowerCase())).toBe(true);
    await waitFor(() => newRoom.messages.some((m) => m.text.includes('severity changed P2 → P1')));
  });
});
