/**
 * Sustained capture: 200 capture-emoji reactions a second for 60 s (BENCH_CAPTURE_SECONDS),
 * each on its own war-room message, sent to the bot as signed Events API
 * deliveries. Reports end-to-end capture latency (event sent → entry committed
 * in Postgres) and the share dropped, beside a bare Bolt app that only acks the
 * same deliveries.
 */
import { createLogger } from '../src/log.js';
import { eventCallback } from '../src/playground/slack/payloads.js';
import { createPool } from '../src/postgres/pool.js';
import { createTestDatabase, REDIS_URL, redisPrefix } from '../test/support/db.js';
import { sendCommand } from '../test/support/harness.js';
import { BotProcess } from '../test/support/processes.js';
import { postSigned } from '../test/support/signed.js';
import { bareBolt, dropRedisPrefix, fakeSlackProcess, percentile, slackEnv } from './support.js';

const RATE = 200;

/** Sends `total` deliveries at `RATE` a second; resolves with each one's send time and ack time. */
async function drive(
  url: string,
  envelopes: readonly string[],
): Promise<{ sentAt: number[]; ackMs: number[]; failed: number }> {
  const sentAt: number[] = [];
  const ackMs: number[] = [];
  let failed = 0;
  const start = Date.now();
  const inflight: Promise<void>[] = [];
  for (let n = 0; n < envelopes.length; n++) {
    const due = start + (n * 1000) / RATE;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sentAt[n] = Date.now();
    inflight.push(
      postSigned(url, envelopes[n]!, 'application/json').then(
        (r) => {
          ackMs[n] = r.ms;
          if (r.status !== 200) failed++;
        },
        () => void failed++,
      ),
    );
  }
  await Promise.all(inflight);
  return { sentAt, ackMs, failed };
}

export async function captureBench(): Promise<string[]> {
  const seconds = Number(process.env.BENCH_CAPTURE_SECONDS ?? 60);
  const total = RATE * seconds;
  const slack = await fakeSlackProcess();
  const db = await createTestDatabase();
  const prefix = redisPrefix();
  const pool = createPool(db.url, createLogger({ level: 'silent' }));
  const bot = new BotProcess({
    ...slackEnv(slack),
    DATABASE_URL: db.url,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    // This measures the bot's own machinery, so the emulator's Slack is unpaced: under Slack's real limits
    // (1 post a second per channel, Tier 3 history look-ups) the pacer, not the bot, would set the pace.
    SLACK_PACING: 'off',
  });
  const floor = await bareBolt((app) => app.event('reaction_added', async () => undefined));
  try {
    await bot.start();
    const remote = {
      url: slack.url,
      issueTrigger: () => `${Date.now()}.${Math.random()}`,
      channelByName: () => ({ id: 'C0GENERAL01' }),
      channels: new Map(),
    };
    await sendCommand(bot.url, remote as never, 'declare P1 Capture bench');
    const room = await (async () => {
      for (let n = 0; n < 100; n++) {
        const r = (await pool.query<{ channel_id: string | null }>('SELECT channel_id FROM incidents LIMIT 1')).rows[0]
          ?.channel_id;
        if (r) return r;
        await new Promise((res) => setTimeout(res, 100));
      }
      throw new Error('the war room was not opened');
    })();
    const said = (await (
      await fetch(`${slack.url}/_inspect/say`, {
        method: 'POST',
        body: JSON.stringify({ channel: room, user: 'U0RESPOND1', count: total, text: 'bench message' }),
      })
    ).json()) as { ts: string[] };
    const envelope = (ts: string) =>
      JSON.stringify(
        eventCallback({
          type: 'reaction_added',
          user: 'U0RESPOND2',
          reaction: 'pushpin',
          item: { type: 'message', channel: room, ts },
          item_user: 'U0RESPOND1',
        }),
      );
    const floorRun = await drive(
      `${floor.url}/slack/events`,
      said.ts.slice(0, Math.min(total, RATE * 10)).map(envelope),
    );
    const run = await drive(`${bot.url}/slack/events`, said.ts.map(envelope));
    const deadline = Date.now() + 60_000;
    let rows: { source_ts: string; recorded: number }[] = [];
    while (Date.now() < deadline) {
      rows = (
        await pool.query<{ source_ts: string; recorded: number }>(
          `SELECT source_ts, extract(epoch from recorded_at) * 1000 AS recorded FROM timeline WHERE kind = 'captured'`,
        )
      ).rows;
      if (rows.length >= total) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const index = new Map(said.ts.map((ts, n) => [ts, n]));
    const latencies = rows.map((r) => Number(r.recorded) - run.sentAt[index.get(r.source_ts)!]!);
    const dropped = (total - rows.length) / total;
    const fmt = (v: number) => `${v.toFixed(1)} ms`;
    // Deliveries the bot refused have no ack time: the figures are of those it took.
    run.ackMs.splice(0, run.ackMs.length, ...run.ackMs.filter((v) => v !== undefined));
    return [
      `${total} capture reactions at ${RATE}/s for ${seconds} s: ${rows.length} captured, ${run.failed} deliveries refused, dropped ${(dropped * 100).toFixed(2)}% (goal 0) ${dropped === 0 ? 'OK' : 'MISSED'}`,
      `capture latency (event sent → entry committed): p50 ${fmt(percentile(latencies, 50))}, p99 ${fmt(percentile(latencies, 99))}, max ${fmt(Math.max(...latencies))}`,
      `event ack: firebreak p50 ${fmt(percentile(run.ackMs, 50))}, p99 ${fmt(percentile(run.ackMs, 99))} | bare Bolt that only acks (${floorRun.ackMs.length} deliveries at the same rate): p50 ${fmt(percentile(floorRun.ackMs, 50))}, p99 ${fmt(percentile(floorRun.ackMs, 99))}`,
    ];
  } finally {
    await floor.stop();
    await bot.stop();
    await pool.end();
    slack.stop();
    await db.drop();
    await dropRedisPrefix(REDIS_URL, prefix);
  }
}
