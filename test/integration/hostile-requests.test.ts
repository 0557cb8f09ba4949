import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { viewSubmission } from '../../src/playground/slack/payloads.js';
import { type Harness, startHarness, waitFor } from '../support/harness.js';
import { postSigned } from '../support/signed.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { METRICS_TOKEN: 'metrics-token-0123456789abcdef' } });
});
afterAll(async () => {
  await h.stop();
});

const count = async (sql: string) => Number((await h.sql.query(sql)).rows[0].n);
const FORM = 'application/x-www-form-urlencoded';
const idOf = (text: string) => /INC-\d{4}-\d{4}-\d{3}/.exec(text)![0];

async function openModal(): Promise<Record<string, unknown>> {
  await h.command('declare');
  const call = await waitFor(() => h.slack.callsTo('views.open').at(-1));
  return call.response.view as Record<string, unknown>;
}

describe('signed requests of a shape Slack never sends', () => {
  const view = { id: 'V0HOSTILE01', callback_id: 'declare_incident', private_metadata: '{}' };
  const user = { id: 'U0DECLARER' };
  it.each([
    ['payload=null', 'payload=null'],
    ['a payload that is a number', 'payload=7'],
    [
      'a view submission with no view',
      new URLSearchParams({ payload: JSON.stringify({ type: 'view_submission', user }) }).toString(),
    ],
    [
      'a number in modal state',
      new URLSearchParams({
        payload: JSON.stringify({
          type: 'view_submission',
          user,
          view: { ...view, state: { values: { title: { title: { type: 'plain_text_input', value: 42 } } } } },
        }),
      }).toString(),
    ],
    [
      'a block action with no actions',
      new URLSearchParams({ payload: JSON.stringify({ type: 'block_actions', user }) }).toString(),
    ],
  ])('%s gets a 400 at once and a log line, and the process keeps serving', async (_case, body) => {
    const before = await count('SELECT count(*) n FROM incidents');
    const res = await postSigned(`${h.bot.url}/slack/events`, body, FORM);
    expect(res.status).toBe(400);
    expect(res.body).toContain('Malformed Slack request');
    expect(res.ms).toBeLessThan(1000);
    expect(h.logs.text).toContain('refused a signed Slack request of a shape Slack never sends');
    expect(await count('SELECT count(*) n FROM incidents')).toBe(before);
    expect((await fetch(`${h.bot.url}/healthz`)).status).toBe(200);
  });

  it('a JSON body of null gets a 400, not a crash', async () => {
    const res = await postSigned(`${h.bot.url}/slack/events`, 'null', 'application/json');
    expect(res.status).toBe(400);
    expect((await fetch(`${h.bot.url}/healthz`)).status).toBe(200);
  });
});

describe('request timestamps', () => {
  it('refuses one more than 5 minutes in the future like a stale one, and records nothing', async () => {
    const before = await count('SELECT count(*) n FROM incidents');
    const future = await h.command('declare P1 From the future', { timestamp: Math.floor(Date.now() / 1000) + 6 * 60 });
    expect(future.status).toBe(401);
    const stale = await h.command('declare P1 From the past', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(stale.status).toBe(401);
    expect(await count('SELECT count(*) n FROM incidents')).toBe(before);
    const near = await h.command('list', { timestamp: Math.floor(Date.now() / 1000) + 60 });
    expect(near.status).toBe(200);
  });
});

describe('text that is not text', () => {
  it('NUL in a command gets a usage message, never a storage error, and writes nothing', async () => {
    const id = idOf(await h.reply((await h.command('declare P3 Badge colours off')).responseUrl));
    const timeline = `SELECT count(*) n FROM timeline WHERE incident_id = '${id}'`;
    const before = await count(timeline);
    for (const text of [
      `note ${id} saw \u0000 in the logs`,
      'declare P1 Null\u0000byte',
      `update ${id} esc \u001b[2J`,
    ]) {
      const ack = await h.command(text);
      expect(ack.status).toBe(200);
      const body = JSON.parse(ack.body) as { text: string };
      expect(body.text).toContain('control character');
      expect(body.text).toContain('/incident declare');
      expect(body.text).not.toContain('went wrong');
    }
    expect(await count(timeline)).toBe(before);
    expect(await count(`SELECT count(*) n FROM incidents WHERE title LIKE 'Null%'`)).toBe(0);
  });

  it('NUL in a modal field gets a field error on that field, and nothing is declared', async () => {
    const view = await openModal();
    const res = await h.interact(
      viewSubmission(view, {
        severity: { severity: { type: 'static_select', selected_option: { value: 'P2' } } },
        title: { title: { type: 'plain_text_input', value: 'Null\u0000title' } },
        impact: { impact: { type: 'plain_text_input', value: 'fine' } },
        services: { services: { type: 'plain_text_input', value: 'api\u0007' } },
      }),
    );
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(body.errors.title).toContain('control character (U+0000)');
    expect(body.errors.services).toContain('control character (U+0007)');
    expect(await count(`SELECT count(*) n FROM incidents WHERE title LIKE 'Null%'`)).toBe(0);
  });

  it('user text in a notification fallback is escaped like the blocks, so it pings no one', async () => {
    const id = idOf(await h.reply((await h.command('declare P2 Search & browse slow')).responseUrl));
    await h.reply(
      (await h.command(`update ${id} <!channel> rolled back <@U0RESPOND1> & <https://evil.example|click>`)).responseUrl,
    );
    const posted = await waitFor(() =>
      [...h.slack.channels.values()].flatMap((c) => c.messages).find((m) => m.text.startsWith(`INCIDENT UPDATE ${id}`)),
    );
    // The sentence goes on with the incident's level, title and author (issue 13); the user's words stay escaped.
    expect(posted.text.split(' (P2: ')[0]).toBe(
      `INCIDENT UPDATE ${id}: &lt;!channel&gt; rolled back &lt;@U0RESPOND1&gt; &amp; &lt;https://evil.example|click&gt;`,
    );
    const alert = h.slack.channelByName('incidents')!.messages.find((m) => m.text.startsWith(`INCIDENT ALERT ${id}`))!;
    expect(alert.text).toContain('Search &amp; browse slow');
  });
});

describe('GET /metrics with METRICS_TOKEN set', () => {
  it('answers 401 without the bearer token and the metrics with it', async () => {
    const bare = await fetch(`${h.bot.url}/metrics`);
    expect(bare.status).toBe(401);
    expect(await bare.text()).not.toContain('firebreak_open_incidents');
    const wrong = await fetch(`${h.bot.url}/metrics`, { headers: { authorization: 'Bearer not-the-token-at-all-x' } });
    expect(wrong.status).toBe(401);
    const ok = await fetch(`${h.bot.url}/metrics`, {
      headers: { authorization: 'Bearer metrics-token-0123456789abcdef' },
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('firebreak_open_incidents');
    expect(h.logs.text).not.toContain('metrics-token-0123456789abcdef');
  });
});

describe('GET /metrics with METRICS_PORT set', () => {
  it('is served on that port alone, not beside the Slack endpoint', async () => {
    const own = await startHarness({ slack: h.slack, env: { METRICS_PORT: '0' } });
    try {
      expect(own.bot.metricsUrl).toBeDefined();
      expect((await fetch(`${own.bot.url}/metrics`)).status).toBe(404);
      const res = await fetch(`${own.bot.metricsUrl}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('firebreak_open_incidents');
      expect((await fetch(`${own.bot.metricsUrl}/slack/events`, { method: 'POST' })).status).toBe(404);
    } finally {
      await own.stop();
    }
  });
});
