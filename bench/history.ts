/**
 * Costs that must not grow with history: a year of it (20,000 resolved
 * incidents of 100 entries, 200 open, one of 5,000 captured messages) loaded
 * with SQL into the real schema, beside a nearly empty database in the same
 * run. Everything is measured through the real bot, as a process with the
 * shipped heap settings: /metrics, slash commands and page buttons against the
 * fake Slack, the sweep and GC from the bot's own metrics, RSS from /proc.
 */
import pg from 'pg';
import { migrate } from '../src/postgres/migrate.js';
import { STATS_DELTA_MARGIN_MS } from '../src/postgres/stats-store.js';
import { createTestDatabase, REDIS_URL, redisPrefix } from '../test/support/db.js';
import { EMPTY, type HistoryShape, loadHistory, YEAR } from '../test/support/history.js';
import { BIG_TABLES, historyQueries, scansOf } from '../test/support/plans.js';
import { policyFile } from '../test/support/policies.js';
import { BotProcess, NODE_OPTIONS } from '../test/support/processes.js';
import { buttonValue, click, command, gcWatch, type Reply, replySink, type Sink, scrape } from './history-probe.js';
import { dropRedisPrefix, fakeSlackProcess, percentile, rssMb, slackEnv } from './support.js';

const ROUNDS = 10;
const SWEEPS = 5;
const POLICY = `severities:
  P0: { description: Outage, warRoom: true, updateEvery: 15m, escalation: [{ after: 5m, notify: [U0RESPOND1] }] }
  P1: { description: Major, warRoom: true, updateEvery: 15m, escalation: [{ after: 10m, notify: [U0RESPOND1] }] }
  P2: { description: Minor, updateEvery: 1h }
  P3: { description: Cosmetic, updateEvery: 1h }
`;

type Figures = Record<string, number>;

/** A bot on its own database, loaded with `shape` and through its first retention run. */
async function prepare(shape: HistoryShape, slack: { url: string; token: string }) {
  const db = await createTestDatabase();
  const prefix = redisPrefix();
  // No query timeout here: loading the year takes statements of several seconds.
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', () => undefined);
  const bot = new BotProcess({
    ...slackEnv(slack),
    DATABASE_URL: db.url,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    INCIDENT_POLICY: policyFile(POLICY),
    CLOCK_SWEEP_EVERY: '1s',
    LOG_LEVEL: 'warn',
  });
  const f: Figures = {};
  const stop = async () => {
    await bot.stop();
    await pool.end();
    await db.drop();
    await dropRedisPrefix(REDIS_URL, prefix);
  };
  try {
    await migrate(pool);
    let started = performance.now();
    const loaded = await loadHistory(pool, shape, new Date());
    const written = performance.now();
    f.loadS = (written - started) / 1000;
    f.timelineRows = await count(pool, 'timeline');
    f.keys = await count(pool, 'idempotency_keys');
    f.effects = await count(pool, 'effects');
    // The loader has just written every incident. Each stats ask reads again what changed within
    // STATS_DELTA_MARGIN_MS of its last read, so a bot started at once would re-read the whole year on every ask
    // for half a minute: that measures the loader's mass write, not the history. The bot starts once it is past.
    const quiet = written + STATS_DELTA_MARGIN_MS + 1_000 - performance.now();
    if (quiet > 0) await new Promise((r) => setTimeout(r, quiet));
    started = performance.now();
    await bot.start();
    f.bootMs = performance.now() - started;
    const gc = gcWatch(bot.url);
    await gc.start();
    // The retention job runs at boot: its first run over the pile ends before anything is measured.
    const purged = await retentionRun(bot.url);
    f.retentionS = (performance.now() - started) / 1000;
    f.purgedKeys = purged.keys;
    f.purgedEffects = purged.effects;
    return { f, pool, bot, gc, loaded, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

type Target = Awaited<ReturnType<typeof prepare>>;

/** The median of `ROUNDS` runs on each target after one to warm up, alternating so drift on the machine hits both. */
async function alternate(targets: readonly Target[], key: string, run: (t: Target) => Promise<number>): Promise<void> {
  for (const t of targets) await run(t);
  const times = targets.map(() => [] as number[]);
  for (let n = 0; n < ROUNDS; n++) for (const [i, t] of targets.entries()) times[i]!.push(await run(t));
  for (const [i, t] of targets.entries()) t.f[key] = percentile(times[i]!, 50);
}

/**
 * A change to one incident's figures, as an ack or a resolve makes (its time to acknowledge moves by a second):
 * the stats must read it and take it into every window before answering, not serve what they had.
 */
const TOUCH_NEWEST_INCIDENT = `UPDATE incidents SET acked_at = acked_at + interval '1 second'
  WHERE id = (SELECT id FROM incidents ORDER BY declared_at DESC LIMIT 1)`;

async function measure(targets: readonly Target[], sink: Sink): Promise<void> {
  for (const t of targets) t.f.metricsFirst = (await scrape(t.bot.url)).ms;
  await alternate(targets, 'metrics', async (t) => (await scrape(t.bot.url)).ms);
  const ask = (text: (t: Target) => string) => async (t: Target) => (await command(t.bot.url, sink, text(t))).ms;
  // Cold: an incident changed just before, so the figures in hand no longer hold and take the change in first.
  const cold = (text: string) => async (t: Target) => {
    await t.pool.query(TOUCH_NEWEST_INCIDENT);
    return ask(() => text)(t);
  };
  await alternate(targets, 'stats30Cold', cold('stats 30d'));
  await alternate(targets, 'stats365Cold', cold('stats 365d'));
  await alternate(
    targets,
    'stats30',
    ask(() => 'stats 30d'),
  );
  await alternate(
    targets,
    'stats365',
    ask(() => 'stats 365d'),
  );
  await alternate(
    targets,
    'list',
    ask(() => 'list'),
  );
  await alternate(
    targets,
    'timelineFirst',
    ask((t) => `timeline ${t.loaded.bigId}`),
  );
  const firsts = new Map<Target, Reply>();
  for (const t of targets) firsts.set(t, (await command(t.bot.url, sink, `timeline ${t.loaded.bigId}`)).reply);
  await alternate(
    targets,
    'timelineButton',
    async (t) => (await click(t.bot.url, sink, 'timeline_next', buttonValue(firsts.get(t)!, 'timeline_next'))).ms,
  );
  const middle = (t: Target) =>
    Math.ceil(Number(/Page 1 of (\d+)/.exec(JSON.stringify(firsts.get(t)!.body.blocks))?.[1] ?? 1) / 2);
  await alternate(
    targets,
    'timelineTyped',
    ask((t) => `timeline ${t.loaded.bigId} ${middle(t)}`),
  );
}

/** The mean of the next `SWEEPS` sweeps, from the bot's own histogram. */
async function sweeps(t: Target): Promise<void> {
  const read = async () => (await scrape(t.bot.url)).samples;
  const before = await read();
  const count = (s: Map<string, number>) => s.get('firebreak_sweep_duration_seconds_count') ?? 0;
  let after = before;
  while (count(after) - count(before) < SWEEPS) {
    await new Promise((r) => setTimeout(r, 500));
    after = await read();
  }
  const sum = (s: Map<string, number>) => s.get('firebreak_sweep_duration_seconds_sum') ?? 0;
  t.f.sweepMs = ((sum(after) - sum(before)) / (count(after) - count(before))) * 1000;
  t.f.sweeps = count(after) - count(before);
}

async function finish(t: Target, sink: Sink): Promise<void> {
  const f = t.f;
  const started = performance.now();
  await command(t.bot.url, sink, `postmortem ${t.loaded.bigId}`);
  f.postmortemMs = performance.now() - started;
  f.postmortemAgainMs = (await command(t.bot.url, sink, `postmortem ${t.loaded.bigId}`)).ms;
  f.draftKb = await scalar(t.pool, 'SELECT max(length(markdown)) / 1024.0 AS v FROM postmortems');
  f.drafts = await count(t.pool, 'postmortems');
  const heap = await t.gc.stop();
  f.majors = heap.majors;
  f.worstSecond = heap.worstSecond;
  f.gcShare = heap.share;
  const mem = rssMb(t.bot.pid!);
  f.rss = mem.rss;
  f.peak = mem.peak;
}

async function count(pool: pg.Pool, table: string): Promise<number> {
  return scalar(pool, `SELECT count(*) AS v FROM ${table}`);
}

async function scalar(pool: pg.Pool, sql: string): Promise<number> {
  return Number((await pool.query<{ v: string | null }>(sql)).rows[0]?.v ?? 0);
}

/**
 * A write to every incident at once (a backfill), then `stats 365d` asked at once, as each ask within
 * STATS_DELTA_MARGIN_MS of it re-reads every row it wrote: the price of the margin, measured last so that
 * it weighs on no other figure.
 */
async function afterMassWrite(t: Target, sink: Sink): Promise<void> {
  await t.pool.query(`UPDATE incidents SET title = title || ''`);
  const times: number[] = [];
  for (let n = 0; n < 5; n++) times.push((await command(t.bot.url, sink, 'stats 365d')).ms);
  t.f.afterMassWrite = percentile(times, 50);
}

/** Waits for the first retention run to report all three kinds on /metrics; what it deleted. */
async function retentionRun(botUrl: string): Promise<{ keys: number; effects: number }> {
  const kind = (k: string) => `firebreak_retention_deleted_total{kind="${k}"}`;
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    const { samples } = await scrape(botUrl);
    if (samples.has(kind('job_records')))
      return { keys: samples.get(kind('idempotency_keys'))!, effects: samples.get(kind('finished_effects'))! };
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('bench: the retention job did not finish its first run');
}

/** Each stats, metrics, paging, sweep and retention query's scans at this history; a whole-table read is flagged. */
async function planLines(t: Target): Promise<string[]> {
  const { pool, loaded } = t;
  const middle = await scalar(
    pool,
    `SELECT id AS v FROM timeline WHERE incident_id = '${loaded.bigId}' ORDER BY at, id OFFSET 2500 LIMIT 1`,
  );
  const queries = historyQueries(new Date(), {
    big: loaded.bigId,
    middleEntry: middle,
    someOpen: loaded.openIds[40]!,
    typedOffset: 2500,
  });
  const lines: string[] = [];
  for (const [name, [sql, params]] of Object.entries(queries)) {
    const scans = await scansOf(pool, sql, params);
    const whole = scans.filter((s) => s.node === 'Seq Scan' && BIG_TABLES.includes(s.relation));
    const used = scans.map((s) => s.index ?? `${s.node} ${s.relation}`).join(', ');
    // A window holding every incident of this history is cheapest read whole; at two years the index serves it (test).
    const note =
      name.startsWith('stats snapshot') || name.startsWith('stats past')
        ? ' (the window holds every incident loaded)'
        : '';
    lines.push(`  plan ${name}: ${used}${whole.length ? ` ← reads a whole table${note}` : ''}`);
  }
  return lines;
}

const ms = (v: number) => `${v.toFixed(1)} ms`;

/** Runs the history bench and returns its report lines. */
export async function historyBench(): Promise<string[]> {
  const slack = await fakeSlackProcess();
  const sink = await replySink();
  const targets: Target[] = [];
  try {
    targets.push(await prepare(EMPTY, slack));
    targets.push(await prepare(YEAR, slack));
    const [empty, year] = targets as [Target, Target];
    await measure(targets, sink);
    for (const t of targets) await sweeps(t);
    for (const t of targets) await finish(t, sink);
    for (const t of targets) await afterMassWrite(t, sink);
    const plans = await planLines(year);
    const e = empty.f;
    const y = year.f;
    const row = (what: string, key: string, goal?: { under: number }) => {
      const ratio = y[key]! / e[key]!;
      const ok = ratio <= 2 && (!goal || y[key]! < goal.under);
      const extra = goal ? `, goal < ${goal.under} ms` : '';
      return `${what}: year ${ms(y[key]!)} | empty ${ms(e[key]!)} | ${ratio.toFixed(2)}× (goal ≤ 2×${extra}) ${ok ? 'OK' : 'MISSED'}`;
    };
    return [
      `heap settings: NODE_OPTIONS="${NODE_OPTIONS}" (package.json config.node_options)`,
      `year loaded with SQL in ${y.loadS!.toFixed(0)} s: ${y.timelineRows!.toLocaleString('en-US')} timeline rows, ${y.keys!.toLocaleString('en-US')} idempotency keys, ${y.effects!.toLocaleString('en-US')} finished effects | empty: ${e.timelineRows} timeline rows`,
      `boot to ready: year ${ms(y.bootMs!)} | empty ${ms(e.bootMs!)}`,
      `first retention run at boot: deleted ${y.purgedKeys!.toLocaleString('en-US')} keys and ${y.purgedEffects!.toLocaleString('en-US')} effects in ${y.retentionS!.toFixed(1)} s, 1,000 rows per statement, at most 100 statements per kind per run (the rest waits for the next run)`,
      row('GET /metrics (p50 of 10, cached figures)', 'metrics'),
      row('GET /metrics first scrape (computes the 30-day figures)', 'metricsFirst'),
      row('/incident stats 30d cold, just after an incident changed (p50 of 10)', 'stats30Cold'),
      row('  warm, from the cache (p50 of 10)', 'stats30'),
      row('/incident stats 365d cold, just after an incident changed (p50 of 10)', 'stats365Cold', { under: 300 }),
      row('  warm, from the cache (p50 of 10)', 'stats365', { under: 300 }),
      row('/incident timeline of the 5,000-entry incident, first page', 'timelineFirst', { under: 50 }),
      row('  next page by button (keyset)', 'timelineButton', { under: 50 }),
      row('  middle page by number (boundary from the index, then keyset)', 'timelineTyped', { under: 50 }),
      row('/incident list (200 open)', 'list'),
      `${row('clock sweep, mean', 'sweepMs')} (${y.sweeps} sweeps | ${e.sweeps})`,
      `/incident stats 365d in the ${STATS_DELTA_MARGIN_MS / 1000} s after a write to every incident (a backfill; each ask re-reads what it wrote; not a goal): year ${ms(y.afterMassWrite!)} | empty ${ms(e.afterMassWrite!)}`,
      `/incident postmortem of the 5,000-entry incident: ${ms(y.postmortemMs!)} (draft ${y.draftKb!.toFixed(0)} KB, full timeline uploaded beside it) | asked again, unchanged: ${ms(y.postmortemAgainMs!)}, ${y.drafts} draft stored`,
      `bot RSS at the end: year ${y.rss!.toFixed(0)} MB (peak ${y.peak!.toFixed(0)} MB) | empty ${e.rss!.toFixed(0)} MB (peak ${e.peak!.toFixed(0)} MB) | ${(y.peak! / e.peak!).toFixed(2)}× (goal ≤ 2×, < 250 MB) ${y.peak! / e.peak! <= 2 && y.peak! < 250 ? 'OK' : 'MISSED'}`,
      `major GCs from boot to the end: year ${y.majors} (at most ${y.worstSecond} in one second, ${(y.gcShare! * 100).toFixed(1)}% of the time) | empty ${e.majors} (at most ${e.worstSecond}) (goal: no back-to-back storm, ≤ 2 a second) ${y.worstSecond! <= 2 ? 'OK' : 'MISSED'}`,
      `query plans at the year's history (the indexes each query reads):`,
      ...plans,
    ];
  } finally {
    for (const t of targets) await t.stop();
    await sink.close();
    slack.stop();
  }
}
