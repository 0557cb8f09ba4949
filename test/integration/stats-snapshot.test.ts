import { afterAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import type { Mutation } from '../../src/incident/mutation.js';
import type { SeverityFigures } from '../../src/incident/stats.js';
import { createIncidentStore } from '../../src/postgres/incident-store.js';
import {
  createStatsStore,
  figuresBySql,
  SEVERITY_STATS_SQL,
  STATS_DELTA_SQL,
  STATS_LOAD_SQL,
  STATS_SNAPSHOT_MAX_AGE_MS,
} from '../../src/postgres/stats-store.js';
import { migratedDatabases } from '../support/db.js';

const DAY = 86_400_000;
const databases = migratedDatabases(3);
const freshPool = () => databases.fresh();
afterAll(() => databases.dropAll());

/** The pool, counting snapshot loads, the rows each delta read brought, and figures computed by SQL. */
function counting(pool: pg.Pool) {
  const seen = { loads: 0, deltaRows: [] as number[], bySql: 0 };
  const query = async (sql: string, params?: unknown[]) => {
    const result = await pool.query(sql, params);
    if (sql === STATS_LOAD_SQL) seen.loads++;
    if (sql === STATS_DELTA_SQL) seen.deltaRows.push(result.rows.filter((r) => r.id !== null).length);
    if (sql === SEVERITY_STATS_SQL) seen.bySql++;
    return result;
  };
  return { pool: { query } as unknown as Pick<pg.Pool, 'query'>, seen };
}

const bySeverity = (figures: readonly SeverityFigures[]) =>
  [...figures].sort((a, b) => a.severity.localeCompare(b.severity));
const severity = (figures: readonly SeverityFigures[], level: string) => figures.find((f) => f.severity === level);

let seq = 0;
/** An incident written straight into the table; its last change an hour ago, so no delta reads it by accident. */
async function incident(
  pool: pg.Pool,
  p: { severity?: string; declaredAt: Date; ackedAfterS?: number; drill?: boolean; missed?: number },
): Promise<string> {
  const id = `INC-2026-1202-${String(++seq).padStart(4, '0')}`;
  await pool.query(
    `INSERT INTO incidents (id, day, seq, severity, title, status, declared_by, declared_at, drill, acked_at,
       updates_missed, updated_at)
     VALUES ($1, '2026-12-02', $2, $3, 'Snapshot', 'investigating', 'U0DECLARER', $4, $5,
       $4::timestamptz + $6 * interval '1 second', $7, now() - interval '1 hour')`,
    [id, seq, p.severity ?? 'P1', p.declaredAt, p.drill ?? false, p.ackedAfterS ?? null, p.missed ?? 0],
  );
  return id;
}

describe('figures from the snapshot', () => {
  it('equal what SEVERITY_STATS_SQL computes, for every window, before and after incidents change', async () => {
    const pool = await freshPool();
    const now = Date.now();
    const tie = new Date(now - 20 * DAY);
    // Declared half a millisecond after a whole one: a window starting on that millisecond holds it, the next does not.
    const odd = new Date(Math.floor((now - 10 * DAY) / 1000) * 1000);
    await pool.query('SELECT setseed(0.17)');
    await pool.query(
      `INSERT INTO incidents (id, day, seq, severity, title, status, declared_by, declared_at, drill, acked_at,
         impact_started_at, mitigated_at, resolved_at, updates_on_time, updates_missed)
       SELECT 'INC-2026-1001-' || lpad(n::text, 4, '0'), '2026-10-01', n, (ARRAY['P0','P1','P1','P2','P2','P2','P3'])[1 + n % 7],
         'Mixed', 'resolved', 'U0DECLARER', d, n % 11 = 0,
         CASE WHEN n % 5 = 0 THEN NULL WHEN n % 3 = 0 THEN d + (n % 4) * interval '1 minute'
              ELSE d + random() * interval '30 minutes' END,
         CASE WHEN n % 4 = 0 THEN d - random() * interval '20 minutes' END,
         CASE WHEN n % 6 = 0 THEN NULL WHEN n % 13 = 0 THEN d - interval '1 hour'
              ELSE d + random() * interval '2 hours' END,
         CASE WHEN n % 9 = 0 THEN NULL ELSE d + interval '2 hours' + random() * interval '3 hours' END,
         n % 4, n % 3
       FROM generate_series(1, 600) AS n,
       LATERAL (SELECT CASE WHEN n % 50 = 0 THEN $2::timestamptz WHEN n = 7 THEN $3::timestamptz + interval '500 microseconds'
                     ELSE $1::timestamptz - (n % 90 + random()) * interval '1 day' END AS d) AS t`,
      [new Date(now), tie, odd],
    );
    // A severity with one incident, one with two (interpolated between them), one whose durations are all null.
    await incident(pool, { severity: 'SEV-ONE', declaredAt: new Date(now - 3 * DAY), ackedAfterS: 61.5 });
    await incident(pool, { severity: 'SEV-TWO', declaredAt: new Date(now - 3 * DAY), ackedAfterS: 10 });
    await incident(pool, { severity: 'SEV-TWO', declaredAt: new Date(now - 4 * DAY), ackedAfterS: 110 });
    await incident(pool, { severity: 'SEV-NULLS', declaredAt: new Date(now - 2 * DAY), missed: 2 });

    const windows = [
      new Date(now - 100 * DAY),
      new Date(now - 30 * DAY),
      new Date(now - 7 * DAY),
      tie,
      new Date(tie.getTime() + 1),
      odd,
      new Date(odd.getTime() + 1),
      new Date(now + DAY),
    ];
    const { pool: counted, seen } = counting(pool);
    const store = createStatsStore(counted);
    const compare = async () => {
      for (const since of windows) {
        const expected = bySeverity(await figuresBySql(pool, since));
        expect({ since, figures: bySeverity(await store.severityStats(since)) }).toEqual({ since, figures: expected });
      }
    };
    await compare();
    expect(severity(await store.severityStats(windows[0]!), 'SEV-TWO')?.mtta).toEqual({ median: 60_000, p90: 100_000 });
    const total = async (since: Date) => (await store.severityStats(since)).reduce((n, f) => n + f.count, 0);
    expect(await total(odd)).toBe(1 + (await total(windows[6]!)));

    // Acks, severity changes, drills on and off, counters, an incident declared earlier: each moves between groups.
    await pool.query(`UPDATE incidents SET acked_at = declared_at + (seq % 7) * interval '1 minute' WHERE seq % 8 = 1`);
    await pool.query(`UPDATE incidents SET severity = 'P0' WHERE seq % 10 = 3`);
    await pool.query(`UPDATE incidents SET drill = NOT drill WHERE seq % 17 = 0`);
    await pool.query(`UPDATE incidents SET updates_missed = updates_missed + 1 WHERE seq % 12 = 5`);
    await pool.query(`UPDATE incidents SET declared_at = declared_at - interval '25 days' WHERE seq % 19 = 2`);
    await compare();
    expect({ loads: seen.loads, bySql: seen.bySql }).toEqual({ loads: 1, bySql: 0 });
  });

  it('answers a window reaching past the snapshot from Postgres, counting every incident in it', async () => {
    const pool = await freshPool();
    const now = Date.now();
    await incident(pool, { declaredAt: new Date(now - 450 * DAY), ackedAfterS: 60 });
    await incident(pool, { declaredAt: new Date(now - 2 * DAY), ackedAfterS: 120 });
    const { pool: counted, seen } = counting(pool);
    const store = createStatsStore(counted);
    expect(severity(await store.severityStats(new Date(now - 366 * DAY)), 'P1')?.count).toBe(1);
    expect(severity(await store.severityStats(new Date(now - 500 * DAY)), 'P1')).toMatchObject({
      count: 2,
      mtta: { median: 90_000 },
    });
    expect(seen.bySql).toBe(1);
  });
});

describe('the snapshot follows every change', () => {
  const at = (ago: number) => new Date(Date.now() - ago);
  const change = (m: Partial<Mutation>): Mutation => ({ timeline: [], effects: [], ...m });

  it('shows a declare, an ack, a severity change, a mitigation, a resolution, a missed update and a drill flag on the next ask', async () => {
    const pool = await freshPool();
    const stats = createStatsStore(pool);
    const since = at(30 * DAY);
    const ask = async () => {
      const figures = await stats.severityStats(since);
      expect(bySeverity(figures)).toEqual(bySeverity(await figuresBySql(pool, since)));
      return figures;
    };
    expect(await ask()).toEqual([]);
    const incidents = createIncidentStore(pool);
    const declaredAt = at(60 * 60_000);
    const { incident: declared } = await incidents.declare(
      {
        severity: 'P2',
        title: 'Checkout slow',
        impact: null,
        services: [],
        declaredBy: 'U0DECLARER',
        declaredAt,
        drill: false,
        nextUpdateDue: at(0),
      },
      undefined,
      () => ({ timeline: [], effects: [] }),
    );
    const id = declared.id;
    const minutes = (m: number) => new Date(declaredAt.getTime() + m * 60_000);
    expect(severity(await ask(), 'P2')).toMatchObject({ count: 1, mtta: { median: null } });

    await incidents.mutate(id, undefined, () => change({ patch: { ackedAt: minutes(3), ackedBy: 'U0RESPOND1' } }));
    expect(severity(await ask(), 'P2')?.mtta).toEqual({ median: 180_000, p90: 180_000 });

    await incidents.mutate(id, undefined, () => change({ patch: { severity: 'P1' } }));
    expect((await ask()).map((f) => [f.severity, f.count])).toEqual([['P1', 1]]);

    await incidents.mutate(id, undefined, () => change({ patch: { status: 'monitoring', mitigatedAt: minutes(20) } }));
    expect(severity(await ask(), 'P1')?.mttm.median).toBe(1_200_000);

    await incidents.mutate(id, undefined, () =>
      change({ patch: { status: 'resolved', resolvedAt: minutes(45), resolution: 'Rolled back' } }),
    );
    expect(severity(await ask(), 'P1')?.mttr.median).toBe(2_700_000);

    await incidents.addTimeline(id, {
      at: minutes(30),
      actor: 'firebreak',
      kind: 'update_overdue',
      text: 'missed',
      data: {},
    });
    expect(severity(await ask(), 'P1')?.updatesMissed).toBe(1);

    await pool.query('UPDATE incidents SET drill = true WHERE id = $1', [id]);
    expect(await ask()).toEqual([]);
    await pool.query('UPDATE incidents SET drill = false WHERE id = $1', [id]);
    expect(severity(await ask(), 'P1')?.count).toBe(1);
  });

  it('drops an incident from a window as the window slides past it, and takes it back for a longer one', async () => {
    const pool = await freshPool();
    await incident(pool, { declaredAt: at(10 * DAY), ackedAfterS: 60 });
    await incident(pool, { declaredAt: at(5 * DAY), ackedAfterS: 300 });
    const stats = createStatsStore(pool);
    expect(severity(await stats.severityStats(at(11 * DAY)), 'P1')).toMatchObject({
      count: 2,
      mtta: { median: 180_000 },
    });
    expect(severity(await stats.severityStats(at(6 * DAY)), 'P1')).toMatchObject({
      count: 1,
      mtta: { median: 300_000 },
    });
    expect(severity(await stats.severityStats(at(4 * DAY)), 'P1')).toBeUndefined();
    expect(severity(await stats.severityStats(at(11 * DAY)), 'P1')?.count).toBe(2);
  });
});

describe('what each ask reads', () => {
  it('after one change, reads only the changed row, not the history', async () => {
    const pool = await freshPool();
    for (let n = 0; n < 40; n++) await incident(pool, { declaredAt: new Date(Date.now() - (n + 1) * DAY) });
    const { pool: counted, seen } = counting(pool);
    const stats = createStatsStore(counted);
    const since = new Date(Date.now() - 60 * DAY);
    expect(severity(await stats.severityStats(since), 'P1')?.count).toBe(40);
    await pool.query(`UPDATE incidents SET severity = 'P0' WHERE seq = $1`, [seq]);
    expect(severity(await stats.severityStats(since), 'P0')?.count).toBe(1);
    await stats.severityStats(since);
    // The first ask loads; each later one reads the change (again within the margin), never the 40.
    expect(seen).toEqual({ loads: 1, deltaRows: [1, 1], bySql: 0 });
  });

  it('sees a change committed late, within the margin, that the read before it could not see', async () => {
    const pool = await freshPool();
    const id = await incident(pool, { declaredAt: new Date(Date.now() - DAY) });
    const since = new Date(Date.now() - 30 * DAY);
    const stats = createStatsStore(pool);
    const withoutMargin = createStatsStore(pool, { marginMs: 0 });
    await stats.severityStats(since);
    await withoutMargin.severityStats(since);
    const writer = await pool.connect();
    try {
      await writer.query('BEGIN');
      await writer.query(`UPDATE incidents SET acked_at = declared_at + interval '4 minutes' WHERE id = $1`, [id]);
      // Both read while the change is stamped but not committed.
      expect(severity(await stats.severityStats(since), 'P1')?.mtta.median).toBeNull();
      expect(severity(await withoutMargin.severityStats(since), 'P1')?.mtta.median).toBeNull();
      await writer.query('COMMIT');
    } finally {
      writer.release();
    }
    expect(severity(await stats.severityStats(since), 'P1')?.mtta.median).toBe(240_000);
    // Reading from the last read alone would have lost it: that is what the margin is for.
    expect(severity(await withoutMargin.severityStats(since), 'P1')?.mtta.median).toBeNull();
  });

  it('loads the whole snapshot again once it is older than the max age, dropping an incident deleted by hand', async () => {
    const pool = await freshPool();
    await incident(pool, { declaredAt: new Date(Date.now() - 2 * DAY) });
    const gone = await incident(pool, { declaredAt: new Date(Date.now() - DAY) });
    let clock = Date.now();
    const { pool: counted, seen } = counting(pool);
    const stats = createStatsStore(counted, { now: () => clock });
    const since = new Date(Date.now() - 30 * DAY);
    expect(severity(await stats.severityStats(since), 'P1')?.count).toBe(2);
    await pool.query('DELETE FROM incidents WHERE id = $1', [gone]);
    clock += STATS_SNAPSHOT_MAX_AGE_MS - 1_000;
    // A delete leaves no row for a delta to read: the snapshot still counts it until it is loaded again.
    expect(severity(await stats.severityStats(since), 'P1')?.count).toBe(2);
    expect(seen.loads).toBe(1);
    clock += 1_000;
    const deadline = Date.now() + 5_000;
    let count = severity(await stats.severityStats(since), 'P1')?.count;
    while (count !== 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      count = severity(await stats.severityStats(since), 'P1')?.count;
    }
    expect({ count, loads: seen.loads }).toEqual({ count: 1, loads: 2 });
  });

  it('answers an ask made while a read is under way with a read that starts after it', async () => {
    const pool = await freshPool();
    await incident(pool, { declaredAt: new Date(Date.now() - DAY) });
    let gate: { reached: () => void; held: Promise<void> } | undefined;
    const gated = {
      query: async (sql: string, params?: unknown[]) => {
        const result = await pool.query(sql, params);
        const g = sql === STATS_DELTA_SQL ? gate : undefined;
        if (g) {
          gate = undefined;
          g.reached();
          await g.held;
        }
        return result;
      },
    } as unknown as Pick<pg.Pool, 'query'>;
    const stats = createStatsStore(gated);
    const since = new Date(Date.now() - 30 * DAY);
    await stats.severityStats(since);
    let release!: () => void;
    const reached = new Promise<void>((reach) => {
      gate = { reached: reach, held: new Promise<void>((r) => (release = r)) };
    });
    const first = stats.severityStats(since);
    await reached;
    // Declared after the first ask's read: only a read that starts after it can count it.
    const late = await incident(pool, { declaredAt: new Date(Date.now() - DAY) });
    await pool.query(`UPDATE incidents SET acked_at = declared_at WHERE id = $1`, [late]);
    const second = stats.severityStats(since);
    release();
    expect(severity(await first, 'P1')?.count).toBe(1);
    expect(severity(await second, 'P1')?.count).toBe(2);
  });

  it('gives asks that come together one load, and each of them the changes made before it asked', async () => {
    const pool = await freshPool();
    await incident(pool, { declaredAt: new Date(Date.now() - DAY) });
    const { pool: counted, seen } = counting(pool);
    const stats = createStatsStore(counted);
    const since = new Date(Date.now() - 30 * DAY);
    const first = await Promise.all([1, 2, 3].map(() => stats.severityStats(since)));
    expect(first.map((f) => severity(f, 'P1')?.count)).toEqual([1, 1, 1]);
    expect(seen.loads).toBe(1);
    await incident(pool, { declaredAt: new Date(Date.now() - DAY) });
    await pool.query(`UPDATE incidents SET title = 'touched' WHERE seq = $1`, [seq]);
    const after = await Promise.all([1, 2, 3].map(() => stats.severityStats(since)));
    expect(after.map((f) => severity(f, 'P1')?.count)).toEqual([2, 2, 2]);
  });
});
