import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Harness, startHarness, waitFor } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ backoffMs: () => 300 });
});
afterAll(async () => {
  await h.stop();
});

const count = async (sql: string, params: unknown[] = []) => Number((await h.sql.query(sql, params)).rows[0].n);
const WRITES = `SELECT (SELECT count(*) FROM incidents) + (SELECT count(*) FROM timeline WHERE actor <> 'firebreak') + (SELECT count(*) FROM idempotency_keys) + (SELECT count(*) FROM status_updates) n`;
const idOf = (text: string) => /INC-\d{4}-\d{4}-\d{3}/.exec(text)![0];

describe('duplicate deliveries', () => {
  it('never create a second incident, channel, announcement or timeline entry', async () => {
    const first = await h.command('declare P1 Payments double charged');
    const id = idOf(await h.reply(first.responseUrl));
    const channelsBefore = h.slack.channels.size;
    const repeats = await Promise.all(
      [1, 2, 3].map(() => h.command('declare P1 Payments double charged', { triggerId: first.triggerId })),
    );
    for (const r of repeats) expect(await h.reply(r.responseUrl)).toContain('repeated delivery');
    expect(await count(`SELECT count(*) n FROM incidents WHERE title = 'Payments double charged'`)).toBe(1);
    expect(await count(`SELECT count(*) n FROM timeline WHERE incident_id = $1`, [id])).toBe(2);
    expect(h.slack.channels.size).toBe(channelsBefore);
    expect(
      h.slack
        .channelByName('incidents')!
        .messages.filter((m) => m.text.includes(id) && m.text.startsWith('INCIDENT ALERT')),
    ).toHaveLength(1);
  });

  it('apply a repeated update once', async () => {
    const id = idOf(await h.reply((await h.command('declare P3 Flaky badge')).responseUrl));
    const upd = await h.command(`update ${id} investigating badge cache`);
    await h.reply(upd.responseUrl);
    await h.reply(
      (await h.command(`update ${id} investigating badge cache`, { triggerId: upd.triggerId })).responseUrl,
    );
    expect(await count(`SELECT count(*) n FROM status_updates WHERE incident_id = $1`, [id])).toBe(1);
  });
});

describe('war-room names', () => {
  it('drop non-Latin script and emoji, and step past a name that is taken', async () => {
    const next = await count(
      `SELECT COALESCE(max(seq), 0) + 1 n FROM incidents WHERE day = (now() AT TIME ZONE 'utc')::date`,
    );
    const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    const expectedId = `INC-${today.slice(0, 4)}-${today.slice(4)}-${String(next).padStart(3, '0')}`;
    h.slack.addChannel(`${expectedId.toLowerCase()}-down`, []);
    const id = idOf(await h.reply((await h.command('declare P1 数据库 🔥 down')).responseUrl));
    expect(id).toBe(expectedId);
    const channelId = (await h.sql.query('SELECT channel_id FROM incidents WHERE id = $1', [id])).rows[0].channel_id;
    expect(h.slack.channels.get(channelId)!.name).toBe(`${id.toLowerCase()}-down-2`);
  });
});

describe('Slack failing during declare', () => {
  it('still records the incident, tells the user, puts it on the timeline and retries after Retry-After', async () => {
    h.slack.fail('conversations.create', { kind: 'ratelimited', retryAfter: 1 });
    const ack = await h.command('declare P1 Login broken');
    expect(ack.status).toBe(200);
    const reply = await h.reply(ack.responseUrl);
    const id = idOf(reply);
    expect(reply).toContain('Opening the war room failed (Slack said `ratelimited`)');
    expect(reply).toContain('I will retry at');
    const failed = await h.sql.query(`SELECT text FROM timeline WHERE incident_id = $1 AND kind = 'effect_failed'`, [
      id,
    ]);
    expect(failed.rows[0].text).toContain('ratelimited');
    const row = await waitFor(
      async () =>
        (await h.sql.query('SELECT channel_id, card_ts FROM incidents WHERE id = $1 AND card_ts IS NOT NULL', [id]))
          .rows[0],
      8000,
    );
    const creates = h.slack.calls.filter((c) => c.method === 'conversations.create');
    expect(creates.map((c) => c.status)).toEqual(expect.arrayContaining([429, 200]));
    await waitFor(() => h.slack.channels.get(row.channel_id)!.pins.has(row.card_ts));
    await waitFor(
      async () => count(`SELECT count(*) n FROM timeline WHERE incident_id = $1 AND kind = 'effect_recovered'`, [id]),
      5000,
    );
    // The reply said the room failed; when the retry opens it, the declarer is told where it is.
    await waitFor(
      () =>
        [...h.slack.channels.values()].some(
          (c) =>
            c.is_im && c.messages.some((m) => m.text.includes(`war room for ${id}`) && m.text.includes(row.channel_id)),
        ),
      5000,
      'a direct message to the declarer naming the room',
    );
  });

  it('survives a 5xx on the announcement and ok:false on the topic', async () => {
    h.slack.fail('chat.postMessage', { kind: 'http', status: 503 });
    h.slack.fail('conversations.setTopic', { kind: 'error', error: 'internal_error' });
    const reply = await h.reply((await h.command('declare P2 Exports stuck')).responseUrl);
    const id = idOf(reply);
    expect(reply).toContain('http_503');
    expect(await count('SELECT count(*) n FROM incidents WHERE id = $1', [id])).toBe(1);
    await waitFor(
      () => h.slack.channelByName('incidents')!.messages.some((m) => m.text.startsWith(`INCIDENT ALERT ${id}`)),
      8000,
    );
  });
});

describe('a Slack answer lost after the message was posted', () => {
  it('does not post the message twice when the effect is retried', async () => {
    h.slack.fail('chat.postMessage', { kind: 'lost' });
    const reply = await h.reply((await h.command('declare P2 Lost answers')).responseUrl);
    const id = idOf(reply);
    expect(reply).toContain('http_503');
    await waitFor(
      async () => (await h.sql.query(`SELECT announce_ts FROM incidents WHERE id = $1`, [id])).rows[0].announce_ts,
      5000,
      'the announcement to be recorded',
    );
    expect(
      h.slack.channelByName('incidents')!.messages.filter((m) => m.text.startsWith(`INCIDENT ALERT ${id}`)),
    ).toHaveLength(1);
  });
});

describe('bad command text', () => {
  const cases: [string, string, string][] = [
    ['unknown verb', 'explode now', 'is not a command I know'],
    ['bad severity', 'declare P9 Something', 'is not a severity'],
    ['missing title', 'declare P1', 'Give the incident a title'],
    ['10,000 characters', `declare P1 ${'x'.repeat(10_000)}`, 'keep it under 3,000'],
    ['a bare mention', '<@U123>', 'is not a command I know'],
    ['a mention in a title', 'declare P1 ping <@U0RESPOND1>', 'cannot contain mentions'],
    ['an unlinked role holder', 'role ic remy', 'Mention the person'],
    ['an unknown status', 'status sleeping', 'is not a status'],
  ];
  it.each(cases)(
    '%s → an ephemeral message that shows what to type, and nothing written',
    async (_case, text, expected) => {
      const before = await count(WRITES);
      const ack = await h.command(text);
      expect(ack.status).toBe(200);
      const body = JSON.parse(ack.body);
      expect(body.response_type).toBe('ephemeral');
      expect(body.text).toContain(expected);
      expect(body.text).toContain('/incident declare');
      expect(await count(WRITES)).toBe(before);
    },
  );

  it('empty text shows the usage', async () => {
    const body = JSON.parse((await h.command('')).body);
    expect(body.text).toContain('Usage');
  });

  it('survives 5,000 random texts: no 5xx and no crash', async () => {
    const alphabet = [
      'declare',
      'status',
      'update',
      'role',
      'P1',
      'P0',
      'INC-2026-1122-001',
      '<@U1>',
      '<!channel>',
      '`',
      '*',
      '\u0000',
      '🔥',
      '数据',
      ' ',
      '  ',
      '\n',
      'resolve',
      'severity',
      'ic',
      '%',
      '&',
      '=',
      '+',
      '"',
      "'",
      '\\',
      'x'.repeat(300),
    ];
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const texts = Array.from({ length: 5000 }, () =>
      Array.from({ length: Math.floor(rand() * 8) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join(
        rand() < 0.5 ? ' ' : '',
      ),
    );
    const statuses: number[] = [];
    for (let i = 0; i < texts.length; i += 25) {
      const batch = await Promise.all(texts.slice(i, i + 25).map((t) => h.command(t)));
      statuses.push(...batch.map((b) => b.status));
    }
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect((await fetch(`${h.bot.url}/healthz`)).status).toBe(200);
  }, 120_000);
});

describe('request signing', () => {
  it('refuses a wrong signature and records nothing', async () => {
    const before = await count('SELECT count(*) n FROM incidents');
    const r = await h.command('declare P1 Forged', { signature: `v0=${'0'.repeat(64)}` });
    expect(r.status).toBe(401);
    expect(await count('SELECT count(*) n FROM incidents')).toBe(before);
  });

  it('refuses a timestamp older than 5 minutes', async () => {
    const before = await count('SELECT count(*) n FROM incidents');
    const r = await h.command('declare P1 Replayed', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(r.status).toBe(401);
    expect(await count('SELECT count(*) n FROM incidents')).toBe(before);
  });
});
