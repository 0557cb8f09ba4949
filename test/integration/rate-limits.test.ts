import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { declarationCalls, type SlackRateLimits } from '../support/fake-slack/limits.js';
import { FakeSlack } from '../support/fake-slack/server.js';
import { type Harness, startHarness, waitFor } from '../support/harness.js';

/** Slack's clock runs this much faster in the fake, and the bot is told so: 30 declarations take ~20 s, not ~80. */
const SPEEDUP = 4;
const DECLARATIONS = 30;
const PEOPLE = ['U0DECLARER', 'U0RESPOND1', 'U0RESPOND2'];

let slack: FakeSlack;
let limits: SlackRateLimits;
let h: Harness;
beforeAll(async () => {
  slack = await new FakeSlack().start();
  limits = slack.limitRates(SPEEDUP);
  // Short leases and sweeps: an effect waiting its turn for longer than its lease must keep it (renewed), or a sweep
  // would take it over and spend calls twice.
  h = await startHarness({ slack, slackSpeedup: SPEEDUP, env: { EFFECT_LEASE: '2s', CLOCK_SWEEP_EVERY: '1s' } });
});
afterAll(async () => {
  await h.stop();
  await slack.stop();
});

const idOf = (text: string) => /INC-\d{4}-\d{4}-\d{3}/.exec(text)![0];

describe("with Slack's rate limits on", () => {
  it('30 declarations finish within 1.2x of the time the limits force, each room, card and announcement once', async () => {
    const incidents = slack.channelByName('incidents')!;
    const callsBefore = slack.calls.length;
    const acks = await Promise.all(
      Array.from({ length: DECLARATIONS }, (_, n) =>
        h.command(`declare P1 Burst incident ${n}`, { user: PEOPLE[n % PEOPLE.length]! }),
      ),
    );
    // Replies wait on the machine, not on Slack's limits: a loaded machine may take its time.
    const ids = await Promise.all(acks.map(async (a) => idOf(await h.reply(a.responseUrl, 60_000))));
    const announced = new Map<string, number>();
    const finished = await waitFor(
      async () => {
        for (const m of incidents.messages)
          for (const id of ids)
            if (m.text.startsWith(`INCIDENT ALERT ${id} `) && !announced.has(id)) announced.set(id, m.receivedAt!);
        const { rows } = await h.sql.query<{ id: string; channel_id: string | null; card_ts: string | null }>(
          'SELECT id, channel_id, card_ts FROM incidents WHERE id = ANY($1)',
          [ids],
        );
        const done = rows.filter(
          (r) =>
            r.channel_id &&
            r.card_ts &&
            slack.channels.get(r.channel_id)?.pins.has(r.card_ts) &&
            slack.channels.get(r.channel_id)?.topic &&
            announced.has(r.id),
        );
        return done.length === DECLARATIONS ? Date.now() : undefined;
      },
      90_000,
      'every war room, card and announcement',
    );
    // The time the limits govern: from the burst's first Slack call to the last one its work needed, as the fake
    // recorded them, so neither the machine's speed at taking commands nor how often this test looks counts.
    const burstCalls = slack.calls.slice(callsBefore).filter((c) => c.at <= finished);
    const started = burstCalls[0]!.at;
    const elapsed = Math.max(...burstCalls.filter((c) => c.status === 200).map((c) => c.at)) - started;
    const forced = limits.forcedMs(declarationCalls(DECLARATIONS, incidents.id));
    // On a loaded machine the declarations themselves are still being taken after Slack's first call; the limits
    // cannot be blamed for that while, so it is allowed on top (a fraction of a second on a quiet machine).
    const { rows: last } = await h.sql.query<{ at: Date }>(
      'SELECT max(declared_at) AS at FROM incidents WHERE id = ANY($1)',
      [ids],
    );
    const intake = Math.max(0, last[0]!.at.getTime() - started);
    const slowestAnnouncement = Math.max(...announced.values()) - started;
    const announcementsForced = limits.forcedMs({ [`chat.postMessage ${incidents.id}`]: DECLARATIONS });
    process.stdout.write(
      `rate-limited burst: ${elapsed} ms for ${DECLARATIONS} declarations, limits force ${forced.toFixed(0)} ms ` +
        `(ratio ${(elapsed / forced).toFixed(2)}), last declaration taken ${intake} ms in, slowest announcement ${slowestAnnouncement} ms, ${limits.refused.length} answers of 429\n`,
    );
    expect(elapsed).toBeLessThanOrEqual(1.2 * forced + intake);
    // Announcements go first: they are not queued behind the war rooms' slower Tier 2 calls.
    expect(slowestAnnouncement).toBeLessThanOrEqual(1.5 * announcementsForced + 2_000 + intake);

    for (const id of ids) {
      const rooms = [...slack.channels.values()].filter((c) => c.name.startsWith(id.toLowerCase()));
      expect({ id, rooms: rooms.length }).toEqual({ id, rooms: 1 });
      const cards = rooms[0]!.messages.filter((m) => m.text.startsWith(`${id} summary`));
      expect({ id, cards: cards.length, pinned: rooms[0]!.pins.size }).toEqual({ id, cards: 1, pinned: 1 });
      const alerts = incidents.messages.filter((m) => m.text.startsWith(`INCIDENT ALERT ${id} `));
      expect({ id, alerts: alerts.length }).toEqual({ id, alerts: 1 });
    }
    expect(limits.refused).toEqual([]);
    expect([...limits.undocumented]).toEqual([]);
    // Nothing failed, so no retry spent a call looking for a message it might have posted.
    expect(slack.callsTo('conversations.history')).toEqual([]);
  }, 120_000);

  it('a Retry-After holds the whole method, and the retry spends no call looking for what it knows was not done', async () => {
    // The burst before has finished all its Slack work, so every create counted here is this test's.
    await waitFor(
      async () =>
        Number(
          (
            await h.sql.query(
              `SELECT count(*) n FROM effects WHERE state IN ('pending', 'running') AND next_at < now() + interval '10 seconds'`,
            )
          ).rows[0].n,
        ) === 0,
      60_000,
      'the earlier burst to finish',
    );
    const earlier = slack.calls.length;
    const historyBefore = slack.calls.filter((c) => c.method === 'conversations.history').length;
    slack.fail('conversations.create', { kind: 'ratelimited', retryAfter: 2 });
    const acks = await Promise.all([
      h.command('declare P1 Held back one'),
      h.command('declare P1 Held back two'),
      h.command('declare P1 Held back three'),
    ]);
    const ids = await Promise.all(acks.map(async (a) => idOf(await h.reply(a.responseUrl, 60_000))));
    await waitFor(
      async () =>
        Number(
          (await h.sql.query('SELECT count(*) n FROM incidents WHERE id = ANY($1) AND card_ts IS NOT NULL', [ids]))
            .rows[0].n,
        ) === 3,
      60_000,
      'the three war rooms',
    );
    const creates = slack.calls.slice(earlier).filter((c) => c.method === 'conversations.create');
    const refusedAt = creates.findIndex((c) => c.status === 429);
    expect(refusedAt).toBeGreaterThanOrEqual(0);
    const after = creates.slice(refusedAt + 1);
    expect(after.map((c) => c.status)).toEqual([200, 200, 200]);
    for (const c of after) expect(c.at - creates[refusedAt]!.at).toBeGreaterThanOrEqual(2_000);
    expect(slack.calls.filter((c) => c.method === 'conversations.history').length).toBe(historyBefore);
    for (const id of ids)
      expect([...slack.channels.values()].filter((c) => c.name.startsWith(id.toLowerCase()))).toHaveLength(1);
  }, 60_000);
});
