import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Harness, startHarness, waitFor } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

const incidentsChannel = () => h.slack.channelByName('incidents')!;

describe('/incident declare', () => {
  it('records a P1, announces it, and opens a war room with a pinned summary card', async () => {
    const ack = await h.command('declare P1 Auth service down');
    expect(ack.status).toBe(200);
    const text = await h.reply(ack.responseUrl);
    const id = /INC-\d{4}-\d{4}-\d{3}/.exec(text)![0];
    const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    expect(id).toBe(`INC-${today.slice(0, 4)}-${today.slice(4)}-001`);

    const { rows } = await h.sql.query('SELECT * FROM incidents WHERE id = $1', [id]);
    expect(rows[0]).toMatchObject({
      severity: 'P1',
      title: 'Auth service down',
      status: 'investigating',
      declared_by: 'U0DECLARER',
    });

    const alert = incidentsChannel().messages.find((m) => m.text.includes('INCIDENT ALERT'))!;
    expect(alert.text).toContain(id);
    const room = h.slack.channels.get(rows[0].channel_id)!;
    expect(room.name).toBe(`${id.toLowerCase()}-auth-service-down`);
    expect(JSON.stringify(alert.blocks)).toContain(`<#${room.id}>`);
    expect(room.members.has('U0DECLARER')).toBe(true);
    expect(room.topic).toContain(id);
    expect(room.pins.size).toBe(1);
    const card = room.messages.find((m) => room.pins.has(m.ts))!;
    expect(JSON.stringify(card.blocks)).toContain('Incident commander');

    const timeline = await h.sql.query('SELECT kind, actor FROM timeline WHERE incident_id = $1 ORDER BY id', [id]);
    expect(timeline.rows.map((r) => r.kind)).toEqual(['declared', 'war_room']);
  });

  it('does not open a war room for a P2, and posts updates in the incidents channel', async () => {
    const ack = await h.command('declare P2 Avatars load slowly');
    const text = await h.reply(ack.responseUrl);
    const id = /INC-\d{4}-\d{4}-\d{3}/.exec(text)![0];
    const { rows } = await h.sql.query('SELECT channel_id FROM incidents WHERE id = $1', [id]);
    expect(rows[0].channel_id).toBeNull();
    const upd = await h.command(`update ${id} CDN cache purged next: watch p95 eta: 20m`);
    await h.reply(upd.responseUrl);
    const posted = await waitFor(() =>
      incidentsChannel().messages.find((m) => m.text.startsWith(`INCIDENT UPDATE ${id}`)),
    );
    const blocks = JSON.stringify(posted.blocks);
    expect(blocks).toContain('CDN cache purged');
    expect(blocks).toContain('watch p95');
    expect(blocks).toContain('20m');
  });

  it('numbers incidents per UTC day', async () => {
    const a = await h.reply((await h.command('declare P3 Typo on the status page')).responseUrl);
    const n = Number(/INC-\d{4}-\d{4}-(\d{3})/.exec(a)![1]);
    const b = await h.reply((await h.command('declare P3 Another typo')).responseUrl);
    expect(Number(/INC-\d{4}-\d{4}-(\d{3})/.exec(b)![1])).toBe(n + 1);
  });
});
