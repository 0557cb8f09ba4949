/**
 * 1,000 open incidents with 1-minute update cadences, run for BENCH_CLOCK_MINUTES
 * (default 5). Measures the delay from each reminder's due time to its Slack
 * call, Redis memory per open incident and the bot's RSS, beside a bare BullMQ
 * delayed-job loop on the same Redis over the same minutes.
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { formatIncidentId, utcDay } from '../src/incident/incident.js';
import { createLogger } from '../src/log.js';
import { migrate } from '../src/postgres/migrate.js';
import { createPool } from '../src/postgres/pool.js';
import { createTestDatabase, redisPrefix } from '../test/support/db.js';
import { policyFile } from '../test/support/policies.js';
import { BotProcess, OwnRedis } from '../test/support/processes.js';
import { fakeSlackProcess, percentile, rssMb, slackEnv } from './support.js';

const INCIDENTS = 1000;
const CADENCE_MS = 60_000;
const POLICY = `severities:
  P2:
    description: Minor feature impact
    updateEvery: 1m
`;

const usedMemory = async (redis: Redis) => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A bare BullMQ loop: N delayed jobs, each re-adding itself one cadence later; records how late each fires. */
async function bareLoop(url: string, firstDue: number, until: number) {
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const workerConnection = new Redis(url, { maxRetriesPerRequest: null });
  for (const c of [connection, workerConnection]) c.on('error', () => undefined);
  const queue = new Queue('floor', { connection, prefix: 'floor' });
  const lateness: number[] = [];
  const worker = new Worker(
    'floor',
    async (job) => {
      const due = job.data.due as number;
      lateness.push(Date.now() - due);
      if (due + CADENCE_MS < until)
        await queue.add(
          'tick',
          { due: due + CADENCE_MS, n: job.data.n },
          {
            jobId: `tick-${job.data.n}-${due + CADENCE_MS}`,
            delay: Math.max(0, due + CADENCE_MS - Date.now()),
            removeOnComplete: true,
          },
        );
    },
    { connection: workerConnection, prefix: 'floor', concurrency: 8 },
  );
  const before = await usedMemory(connection);
  for (let n = 0; n < INCIDENTS; n++) {
    const due = firstDue + Math.floor((n * CADENCE_MS) / INCIDENTS);
    await queue.add(
      'tick',
      { due, n },
      { jobId: `tick-${n}-${due}`, delay: Math.max(0, due - Date.now()), removeOnComplete: true },
    );
  }
  const bytesPerJob = ((await usedMemory(connection)) - before) / INCIDENTS;
  return {
    bytesPerJob,
    lateness,
    async stop() {
      await worker.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      connection.disconnect();
      workerConnection.disconnect();
    },
  };
}

export async function clockBench(): Promise<string[]> {
  const minutes = Number(process.env.BENCH_CLOCK_MINUTES ?? 5);
  const slack = await fakeSlackProcess();
  const redis = await new OwnRedis().start();
  const db = await createTestDatabase();
  const probe = new Redis(redis.url);
  probe.on('error', () => undefined);
  const pool = createPool(db.url, createLogger({ level: 'silent' }));
  const bot = new BotProcess({
    ...slackEnv(slack),
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: redisPrefix(),
    INCIDENT_POLICY: policyFile(POLICY),
    LOG_LEVEL: 'warn',
    // This measures the bot's own machinery, so the emulator's Slack is unpaced: under Slack's real limits
    // (1 post a second per channel, Tier 3 history look-ups) the pacer, not the bot, would set the pace.
    SLACK_PACING: 'off',
  });
  let floor: Awaited<ReturnType<typeof bareLoop>> | undefined;
  try {
    await migrate(pool);
    const now = new Date();
    const firstDue = Date.now() + 20_000;
    const until = firstDue + minutes * CADENCE_MS;
    for (let n = 0; n < INCIDENTS; n += 100) {
      const rows = Array.from({ length: Math.min(100, INCIDENTS - n) }, (_, k) => n + k);
      await pool.query(
        `INSERT INTO incidents (id, day, seq, severity, title, status, declared_by, declared_at, next_update_due)
         SELECT x.id, $2::date, x.seq, 'P2', 'Bench incident ' || x.seq, 'investigating', 'U0DECLARER', $3, x.due
         FROM unnest($1::text[], $4::int[], $5::timestamptz[]) AS x(id, seq, due)`,
        [
          rows.map((r) => formatIncidentId(now, r + 1)),
          utcDay(now),
          now,
          rows.map((r) => r + 1),
          rows.map((r) => new Date(firstDue + Math.floor((r * CADENCE_MS) / INCIDENTS))),
        ],
      );
    }
    const emptyRedis = await usedMemory(probe);
    await bot.start();
    await sleep(3000);
    const perIncident = ((await usedMemory(probe)) - emptyRedis) / INCIDENTS;
    const idle = rssMb(bot.pid!);
    floor = await bareLoop(redis.url, firstDue, until);
    await sleep(until - Date.now() + 5_000);
    const memory = rssMb(bot.pid!);
    // Stop first, so no reminder fires between reading the timeline and reading Slack.
    await bot.stop();

    const { rows } = await pool.query<{ incident_id: string; due: string }>(
      `SELECT incident_id, data->>'due' AS due FROM timeline WHERE kind = 'update_overdue' ORDER BY incident_id, (data->>'due')`,
    );
    const posted = (
      (await (
        await fetch(`${slack.url}/_inspect/messages?prefix=${encodeURIComponent('Update due for ')}`)
      ).json()) as { messages: { text: string; receivedAt: number }[] }
    ).messages;
    const byIncident = new Map<string, number[]>();
    for (const m of posted) byIncident.set(idIn(m.text), [...(byIncident.get(idIn(m.text)) ?? []), m.receivedAt]);
    const delays: number[] = [];
    const dues = new Map<string, number[]>();
    for (const r of rows) dues.set(r.incident_id, [...(dues.get(r.incident_id) ?? []), Date.parse(r.due)]);
    for (const [id, list] of dues) {
      const sent = (byIncident.get(id) ?? []).sort((a, b) => a - b);
      list.forEach((due, k) => {
        if (sent[k] !== undefined) delays.push(sent[k] - due);
      });
    }
    const expected = Math.floor(minutes) * INCIDENTS;
    const f = floor.lateness;
    const fmt = (v: number) => `${v.toFixed(0)} ms`;
    return [
      `${INCIDENTS} open incidents, 1-minute cadence, ${minutes} min: ${rows.length} reminders due (about ${expected} expected), ${posted.length} posted to Slack, ${delays.length} paired`,
      `due → Slack call: p50 ${fmt(percentile(delays, 50))}, p99 ${fmt(percentile(delays, 99))}, max ${fmt(Math.max(...delays))} (goal p99 < 1000 ms) ${percentile(delays, 99) < 1000 ? 'OK' : 'MISSED'}` +
        ` | bare BullMQ delayed job → worker: p50 ${fmt(percentile(f, 50))}, p99 ${fmt(percentile(f, 99))}, max ${fmt(Math.max(...f))}`,
      `Redis memory per open incident: ${(perIncident / 1024).toFixed(2)} KB (goal < 5 KB) ${perIncident < 5 * 1024 ? 'OK' : 'MISSED'} | bare BullMQ delayed job: ${(floor.bytesPerJob / 1024).toFixed(2)} KB`,
      `bot RSS: ${idle.rss.toFixed(0)} MB after start-up with ${INCIDENTS} incidents, ${memory.rss.toFixed(0)} MB at the end, ${memory.peak.toFixed(0)} MB peak (goal < 250 MB) ${memory.peak < 250 ? 'OK' : 'MISSED'}`,
    ];
  } finally {
    await floor?.stop();
    await bot.stop();
    probe.disconnect();
    await redis.kill();
    await pool.end();
    slack.stop();
    await db.drop();
  }
}

/** The incident ID a reminder's notification text names: `Update due for INC-… (P2: title) …`. */
function idIn(text: string): string {
  return text.slice('Update due for '.length).split(' ')[0]!;
}
