import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Harness, startHarness, waitFor } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

describe('a war room someone archived', () => {
  it('a post there fails as Slack refuses it (is_archived): the person is told, and it is on the timeline', async () => {
    const declared = await h.reply((await h.command('declare P1 Room archived by mistake')).responseUrl);
    const id = /INC-\d{4}-\d{4}-\d{3}/.exec(declared)![0];
    const { channel_id: room } = await waitFor(
      async () =>
        (await h.sql.query('SELECT channel_id FROM incidents WHERE id = $1 AND card_ts IS NOT NULL', [id])).rows[0],
      10_000,
      'the war room',
    );
    const channel = h.slack.channels.get(room)!;
    const before = channel.messages.length;
    channel.is_archived = true;
    const reply = await h.reply((await h.command(`update ${id} failover done, watching replication`)).responseUrl);
    expect(reply).toContain('Update posted');
    expect(reply).toContain('Slack said `is_archived`');
    expect(channel.messages.length).toBe(before);
    const posted = h.slack.calls.filter((c) => c.method === 'chat.postMessage' && c.params.channel === room);
    expect(posted.at(-1)?.response).toEqual({ ok: false, error: 'is_archived' });
    const { rows } = await h.sql.query(`SELECT text FROM timeline WHERE incident_id = $1 ORDER BY id`, [id]);
    expect(rows.map((r) => r.text).join('\n')).toContain('is_archived');
  });
});
