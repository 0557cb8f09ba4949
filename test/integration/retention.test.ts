import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { DEFAULT_POLICY } from '../../src/incident/policy.js';
import type { JobRecords, RetentionStore } from '../../src/incident/ports.js';
import { createRetention } from '../../src/incident/retention.js';
import { createJobs } from '../../src/jobs/queue.js';
import { createLogger } from '../../src/log.js';
import { migrate } from '../../src/postgres/migrate.js';
import { createPool } from '../../src/postgres/pool.js';
import { createRetentionStore } from '../../src/postgres/retention-store.js';
import { createTestDatabase, REDIS_URL, redisPrefix } from '../support/db.js';
import { type Harness, startHarness, waitFor } from '../support/harness.js';
import { FAST_POLICY, policyFile } from '../support/policies.js';

const DAY = 86_400_000;
const now = new Date('2026-11-22T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const silent = createLogger({ level: 'silent' });

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, silent, { max: 2 });
  await migrate(pool);
  await pool.query(
    `INSERT INTO incidents (id, day, seq, severity, title, status, declared_by, declared_at)
     VALUES ('INC-2026-1001-001', '2026-10-01', 1, 'P2', 'Old', 'resolved', 'U0DECLARER', $1)`,
    [ago(60 * DAY)],
  );
  await pool.query(
    `INSERT INTO runbook_runs (id, incident_id, playbook, params, target, requested_by, requested_at, state, commander)
     VALUES ('RUN-0LD', 'INC-2026-1001-001', 'restart-service', '{}', 'shop/web', 'U0RESPOND1', $1, 'succeeded', 'U0DECLARER')`,
    [ago(60 * DAY)],
  );
});
afterAll(async () => {
  await pool.end();
  await db.drop();
});

async function keys(label: string, count: number, age: number): Promise<void> {
  await pool.query(
    `INSERT INTO idempotency_keys (key, incident_id, created_at)
     SELECT $1 || '-' || n, 'INC-2026-1001-001', $2 FROM generate_series(1, $3::int) AS n`,
    [label, ago(age), count],
  );
}

async function effects(state: string, count: number, finishedAge: number | null, createdAge = 60 * DAY): Promise<void> {
  await pool.query(
    `INSERT INTO effects (incident_id, kind, spec, state, next_at, lease_until, created_at, done_at)
     SELECT 'INC-2026-1001-001', 'refresh', $1, $2, $3, $3, $3, $4 FROM generate_series(1, $5::int)`,
    [
      JSON.stringify({ kind: 'post', target: 'room', notice: { kind: 'acked', by: 'U0X' } }),
      state,
      ago(createdAge),
      finishedAge === null ? null : ago(finishedAge),
      count,
    ],
  );
}

/** `count` actions of run RUN-0LD in `state`, finished `finishedAge` ago (null: not finished). */
async function runActions(state: string, count: number, finishedAge: number | null): Promise<void> {
  await pool.query(
    `INSERT INTO runbook_actions (run_id, kind, spec, state, next_at, created_at, done_at)
     SELECT 'RUN-0LD', 'card', '{"kind":"card"}', $1, $2, $2, $3 FROM generate_series(1, $4::int)`,
    [state, ago(90 * DAY), finishedAge === null ? null : ago(finishedAge), count],
  );
}

/** Rows of `table` by state and, once finished, days since (`done:29d`, `pending:open`). */
const byAge = async (table: 'effects' | 'runbook_actions') =>
  (
    await pool.query<{ state: string; n: number }>(
      `SELECT state || ':' || CASE WHEN done_at IS NULL THEN 'open' ELSE (extract(day FROM $1 - done_at))::int || 'd' END AS state,
         count(*)::int AS n FROM ${table} GROUP BY 1 ORDER BY 1`,
      [now],
    )
  ).rows;

const remaining = async () => ({
  keys: (await pool.query<{ key: string }>('SELECT key FROM idempotency_keys ORDER BY key')).rows.map((r) => r.key),
  effects: await byAge('effects'),
  runActions: await byAge('runbook_actions'),
});

describe('retention in Postgres', () => {
  it('deletes at most the batch size per statement', async () => {
    await keys('batch', 7, 20 * DAY);
    const store = createRetentionStore(pool);
    expect(await store.purge('idempotency_keys', ago(7 * DAY), 3)).toBe(3);
    expect(await store.purge('idempotency_keys', ago(7 * DAY), 3)).toBe(3);
    expect(await store.purge('idempotency_keys', ago(7 * DAY), 3)).toBe(1);
    expect(await store.purge('idempotency_keys', ago(7 * DAY), 3)).toBe(0);
  });

  it('keeps everything younger than the policy and every effect or run action not yet finished, in bounded runs', async () => {
    await keys('expired', 12, 7 * DAY + 60_000);
    await keys('young', 3, 7 * DAY - 60_000);
    await keys('fresh', 2, 0);
    await effects('done', 12, 31 * DAY);
    await effects('failed', 2, 30 * DAY + 60_000);
    await effects('done', 3, 29 * DAY);
    await effects('pending', 1, null, 90 * DAY);
    await effects('running', 1, null, 90 * DAY);
    await runActions('done', 7, 31 * DAY);
    await runActions('failed', 1, 40 * DAY);
    await runActions('done', 2, 29 * DAY);
    await runActions('pending', 1, null);
    await runActions('running', 1, null);

    const store = createRetentionStore(pool);
    const batches: number[] = [];
    const counting: RetentionStore = {
      purge: async (kind, before, limit) => {
        const n = await store.purge(kind, before, limit);
        batches.push(n);
        return n;
      },
    };
    const jobs: JobRecords = { purge: async () => 0 };
    const retention = createRetention({
      store: counting,
      jobs,
      clock: { now: () => now },
      policy: DEFAULT_POLICY.retention,
      log: silent,
      batchSize: 5,
      maxBatches: 2,
    });

    const first = await retention.run();
    expect(first.complete).toBe(false);
    expect(first.removed).toEqual({
      idempotency_keys: 10,
      finished_effects: 10,
      finished_run_actions: 8,
      job_records: 0,
      pages: 0,
      alert_groups: 0,
      alert_digests: 0,
    });
    expect(Math.max(...batches)).toBeLessThanOrEqual(5);

    const second = await retention.run();
    expect(second.complete).toBe(true);
    expect(second.removed).toEqual({
      idempotency_keys: 2,
      finished_effects: 4,
      finished_run_actions: 0,
      job_records: 0,
      pages: 0,
      alert_groups: 0,
      alert_digests: 0,
    });
    expect(Math.max(...batches)).toBeLessThanOrEqual(5);

    const left = await remaining();
    expect(left.keys).toEqual(['fresh-1', 'fresh-2', 'young-1', 'young-2', 'young-3']);
    expect(left.effects).toEqual([
      { state: 'done:29d', n: 3 },
      { state: 'pending:open', n: 1 },
      { state: 'running:open', n: 1 },
    ]);
    expect(left.runActions).toEqual([
      { state: 'done:29d', n: 2 },
      { state: 'pending:open', n: 1 },
      { state: 'running:open', n: 1 },
    ]);
    expect((await retention.run()).removed).toEqual({
      idempotency_keys: 0,
      finished_effects: 0,
      finished_run_actions: 0,
      job_records: 0,
      pages: 0,
      alert_groups: 0,
      alert_digests: 0,
    });
  });
});

describe('retention of paging and alert records', () => {
  const incident = (id: string, status: string, resolvedAge: number | null) =>
    pool.query(
      `INSERT INTO incidents (id, day, seq, severity, title, status, declared_by, declared_at, resolved_at)
       VALUES ($1, '2026-09-01', $2, 'P1', 'Paged', $3, 'U0DECLARER', $4, $5)`,
      [id, Number(id.slice(-3)), status, ago(90 * DAY), resolvedAge === null ? null : ago(resolvedAge)],
    );
  const page = (incidentId: string, target: string, state: string) =>
    pool.query(`INSERT INTO pages (incident_id, target, dedup_key, state, created_at) VALUES ($1, $2, $1, $3, $4)`, [
      incidentId,
      target,
      state,
      ago(90 * DAY),
    ]);
  const digest = async (age: number, shown = true) =>
    (
      await pool.query<{ id: string }>(
        `INSERT INTO alert_digests (opened_at, last_added_at, version, shown_version) VALUES ($1, $1, 2, $2) RETURNING id`,
        [ago(age), shown ? 2 : 1],
      )
    ).rows[0]!.id;
  const group = (key: string, age: number, o: { shown?: boolean; declareWanted?: boolean; digest?: string } = {}) =>
    pool.query(
      `INSERT INTO alert_groups (group_key, receiver, status, title, first_seen, last_seen, version, shown_version,
         declare_wanted, digest_id, placement)
       VALUES ($1, 'firebreak', 'resolved', $1, $2, $2, 3, $3, $4, $5, $6)`,
      [
        key,
        ago(age),
        o.shown === false ? 2 : 3,
        o.declareWanted ?? false,
        o.digest ?? null,
        o.digest ? 'digest' : 'card',
      ],
    );

  it('deletes finished pages of long-resolved incidents and alert groups and digests Alertmanager stopped sending, nothing else', async () => {
    await incident('INC-2026-0901-001', 'resolved', 45 * DAY);
    await incident('INC-2026-0901-002', 'resolved', 10 * DAY);
    await incident('INC-2026-0901-003', 'investigating', null);
    await page('INC-2026-0901-001', 'default', 'resolved');
    await page('INC-2026-0901-001', 'user:U0RESPOND1', 'skipped');
    await page('INC-2026-0901-001', 'service:db', 'acknowledged');
    await page('INC-2026-0901-002', 'default', 'resolved');
    await page('INC-2026-0901-003', 'default', 'triggered');
    const oldDigest = await digest(40 * DAY);
    const heldDigest = await digest(40 * DAY);
    const unshownDigest = await digest(40 * DAY, false);
    const youngDigest = await digest(5 * DAY);
    await group('old-shown', 40 * DAY, { digest: oldDigest });
    await group('old-unshown', 40 * DAY, { shown: false });
    await group('old-awaiting-declare', 40 * DAY, { declareWanted: true });
    await group('young', 5 * DAY, { digest: heldDigest });

    const retention = createRetention({
      store: createRetentionStore(pool),
      jobs: { purge: async () => 0 },
      clock: { now: () => now },
      policy: DEFAULT_POLICY.retention,
      log: silent,
      batchSize: 2,
    });
    const run = await retention.run();
    expect(run.removed).toMatchObject({ pages: 2, alert_groups: 1, alert_digests: 1 });
    const pages = await pool.query('SELECT incident_id, target FROM pages ORDER BY incident_id, target');
    expect(pages.rows.map((r) => `${r.incident_id} ${r.target}`)).toEqual([
      'INC-2026-0901-001 service:db',
      'INC-2026-0901-002 default',
      'INC-2026-0901-003 default',
    ]);
    const groups = await pool.query('SELECT group_key FROM alert_groups ORDER BY group_key');
    expect(groups.rows.map((r) => r.group_key)).toEqual(['old-awaiting-declare', 'old-unshown', 'young']);
    const digests = await pool.query<{ id: string }>('SELECT id FROM alert_digests ORDER BY id');
    expect(digests.rows.map((r) => r.id)).toEqual([heldDigest, unshownDigest, youngDigest]);
    expect((await retention.run()).removed).toMatchObject({ pages: 0, alert_groups: 0, alert_digests: 0 });
  });
});

describe('retention of job records in Redis', () => {
  it('removes the records of failed jobs older than the cutoff, and only those', async () => {
    const jobs = createJobs(
      { url: REDIS_URL, prefix: redisPrefix(), sweepEveryMs: 3_600_000, retentionEveryMs: 3_600_000 },
      silent,
    );
    let failures = 0;
    const fail = async () => {
      failures++;
      throw new Error('job failure');
    };
    await jobs.start({
      runEffects: fail,
      updateDue: async () => undefined,
      escalationDue: async () => undefined,
      sweep: async () => undefined,
      rebuild: async () => undefined,
      retention: async () => undefined,
      runActions: async () => undefined,
      expireRun: async () => undefined,
    });
    try {
      await jobs.timers.retryEffects('INC-2026-1001-001', new Date());
      await jobs.timers.retryEffects('INC-2026-1001-002', new Date());
      await waitFor(() => failures === 2, 10_000, 'two failed jobs');
      await new Promise((r) => setTimeout(r, 100));
      expect(await jobs.jobRecords.purge(new Date(Date.now() - 30 * DAY), 10)).toBe(0);
      expect(await jobs.jobRecords.purge(new Date(Date.now() + 1_000), 1)).toBe(1);
      expect(await jobs.jobRecords.purge(new Date(Date.now() + 1_000), 10)).toBe(1);
      expect(await jobs.jobRecords.purge(new Date(Date.now() + 1_000), 10)).toBe(0);
    } finally {
      await jobs.close();
    }
  });
});

describe('the retention job', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      env: { INCIDENT_POLICY: policyFile(`${FAST_POLICY}retention:\n  every: 1s\n  idempotencyKeys: 7d\n`) },
    });
  });
  afterAll(async () => {
    await h.stop();
  });

  it('runs on its schedule in the bot and deletes only expired keys', async () => {
    await h.reply((await h.command('declare P3 Retention')).responseUrl);
    await h.sql.query(
      `INSERT INTO idempotency_keys (key, created_at) VALUES ('old-key', now() - interval '8 days'), ('week-key', now() - interval '6 days')`,
    );
    await waitFor(
      async () => (await h.sql.query(`SELECT 1 FROM idempotency_keys WHERE key = 'old-key'`)).rowCount === 0,
      10_000,
      'the expired key to be deleted',
    );
    const left = (await h.sql.query<{ key: string }>('SELECT key FROM idempotency_keys')).rows.map((r) => r.key);
    expect(left).toContain('week-key');
    expect(left.some((k) => k.startsWith('cmd:'))).toBe(true);
    const metrics = await (await fetch(`${h.bot.url}/metrics`)).text();
    expect(metrics).toMatch(/firebreak_retention_deleted_total\{kind="idempotency_keys"\} [1-9]/);
  });
});
