/**
 * Command ack latency of the real bot (Bolt over HTTP, real
 * Postgres and Redis, fake Slack) beside a bare Bolt app that only acks,
 * both measured in this run on this machine. Bounded: a few seconds each.
 */
import { createLogger } from '../src/log.js';
import { createPool } from '../src/postgres/pool.js';
import { createTestDatabase, REDIS_URL, redisPrefix } from '../test/support/db.js';
import { BotProcess } from '../test/support/processes.js';
import { postSigned } from '../test/support/signed.js';
import { dropRedisPrefix, fakeSlackProcess, helperProcess, percentile, slackEnv } from './support.js';

export type Send = (n: number) => Promise<{ status: number; ms: number }>;
let sent = 0;

/** Alternates rounds between the two apps so that drift on the machine hits both alike. */
export async function measure(sends: readonly Send[], concurrency: number, rounds: number): Promise<number[][]> {
  const times: number[][] = sends.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (const [i, send] of sends.entries()) {
      const batch = await Promise.all(Array.from({ length: concurrency }, () => send(sent++)));
      for (const b of batch) {
        if (b.status !== 200) throw new Error(`ack status ${b.status}`);
        times[i]!.push(b.ms);
      }
    }
  }
  return times;
}

export function commandBody(
  n: number,
  responseUrl: string,
  triggerId: string,
  text = `declare P1 Bench incident ${n}`,
): string {
  return new URLSearchParams({
    token: 'x',
    api_app_id: 'A0BENCH0001',
    team_id: 'T0BENCH0001',
    team_domain: 'bench',
    enterprise_id: '',
    enterprise_name: '',
    channel_id: 'C0BENCH0001',
    channel_name: 'general',
    user_id: 'U0DECLARER',
    user_name: 'dana',
    command: '/incident',
    text,
    response_url: responseUrl,
    trigger_id: triggerId,
    is_enterprise_install: 'false',
  }).toString();
}

/** Runs the ack-latency bench and returns its report lines. */
export async function ackBench(): Promise<string[]> {
  const slack = await fakeSlackProcess();
  const db = await createTestDatabase();
  const prefix = redisPrefix();
  // Both apps run in processes of their own, so the load generator here weighs on neither.
  const bot = await new BotProcess({
    ...slackEnv(slack),
    DATABASE_URL: db.url,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    LOG_LEVEL: 'error',
  }).start();
  const sql = createPool(db.url, createLogger({ level: 'silent' }), { max: 1 });
  const h = { bot, slack: { url: slack.url, issueTrigger: () => `${Date.now()}.${Math.random()}` }, sql };
  const floor = await helperProcess<{ url: string }>('./bare-bolt-process.js');
  const rows: string[] = [];
  try {
    const ours = (n: number) =>
      postSigned(
        `${h.bot.url}/slack/events`,
        commandBody(n, `${h.slack.url}/respond/b${n}`, h.slack.issueTrigger()),
        'application/x-www-form-urlencoded',
      );
    const bare = (n: number) =>
      postSigned(
        `${floor.url}/slack/events`,
        commandBody(n, `${h.slack.url}/respond/f${n}`, `t${n}`),
        'application/x-www-form-urlencoded',
      );
    await measure([bare, ours], 5, 4);
    for (const [concurrency, rounds] of [
      [1, 300],
      [20, 20],
    ] as const) {
      const [floorTimes = [], ourTimes = []] = await measure([bare, ours], concurrency, rounds);
      await new Promise((r) => setTimeout(r, 1500));
      const [f50, f99, o50, o99] = [
        percentile(floorTimes, 50),
        percentile(floorTimes, 99),
        percentile(ourTimes, 50),
        percentile(ourTimes, 99),
      ];
      rows.push(
        `declare ack @ ${String(concurrency).padStart(2)} concurrent (${ourTimes.length} requests): ` +
          `firebreak p50 ${o50.toFixed(2)} ms, p99 ${o99.toFixed(2)} ms | bare Bolt p50 ${f50.toFixed(2)} ms, p99 ${f99.toFixed(2)} ms | ` +
          `p99 ratio ${(o99 / f99).toFixed(2)}x (goal ≤ 1.50x) ${o99 / f99 <= 1.5 ? 'OK' : 'MISSED'}`,
      );
    }
    const drainedBy = Date.now() + 120_000;
    while (
      Date.now() < drainedBy &&
      Number((await h.sql.query(`SELECT count(*) n FROM effects WHERE state IN ('pending', 'running')`)).rows[0].n) > 0
    )
      await new Promise((r) => setTimeout(r, 500));
    const declared = Number((await h.sql.query('SELECT count(*) n FROM incidents')).rows[0].n);
    rows.push(`incidents recorded during the run: ${declared}`);
  } finally {
    floor.stop();
    await bot.stop();
    await sql.end();
    slack.stop();
    await db.drop();
    await dropRedisPrefix(REDIS_URL, prefix);
  }
  return rows;
}
