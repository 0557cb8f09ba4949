import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { DEFAULT_POLICY } from '../../src/incident/policy.js';
import { statsInPolicyOrder } from '../../src/incident/stats.js';
import { createStatsStore } from '../../src/postgres/stats-store.js';
import { migratedDatabases } from '../support/db.js';
import { loadHistory } from '../support/history.js';
import { BIG_TABLES, historyQueries, scansOf } from '../support/plans.js';

const databases = migratedDatabases(2);
const freshPool = () => databases.fresh();
afterAll(() => databases.dropAll());

describe('severity stats', () => {
  let pool: pg.Pool;
  // A week ago, to the minute: inside the snapshot's horizon whenever the test runs.
  const base = Math.floor((Date.now() - 7 * 86_400_000) / 60_000) * 60_000;
  const at = (m: number) => new Date(base + m * 60_000);
  let seq = 0;
  async function incident(p: {
    severity: string;
    ackedAt?: Date;
    impactStartedAt?: Date;
    mitigatedAt?: Date;
    resolvedAt?: Date;
    onTime?: number;
    late?: number;
    missed?: number;
    drill?: boolean;
    declaredAt?: Date;
  }) {
    const n = ++seq;
    const id = `INC-2026-1122-${String(n).padStart(3, '0')}`;
    await pool.query(
      `INSERT INTO incidents (id, day, seq, severity, title, status, declared_by, declared_at, drill,
         acked_at, impact_started_at, mitigated_at, resolved_at)
       VALUES ($1, '2026-11-22', $2, $3, 'Stats', 'resolved', 'U0DECLARER', $4, $5, $6, $7, $8, $9)`,
      [
        id,
        n,
        p.severity,
        p.declaredAt ?? at(0),
        p.drill ?? false,
        p.ackedAt ?? null,
        p.impactStartedAt ?? null,
        p.mitigatedAt ?? null,
        p.resolvedAt ?? null,
      ],
    );
    const update = (minute: number, dueMinute: number) =>
      pool.query(
        `INSERT INTO status_updates (incident_id, at, author, status, progress, next_due, due_at)
         VALUES ($1, $2, 'U0RESPOND1', 'investigating', 'p', $3, $4)`,
        [id, at(minute), at(minute + 15), at(dueMinute)],
      );
    for (let k = 0; k < (p.onTime ?? 0); k++) await update(k, k + 1);
    for (let k = 0; k < (p.late ?? 0); k++) await update(k + 5, k + 1);
    for (let k = 0; k < (p.missed ?? 0); k++)
      await pool.query(
        `INSERT INTO timeline (incident_id, at, actor, kind, text) VALUES ($1, $2, 'firebreak', 'update_overdue', 'missed')`,
        [id, at(k)],
      );
  }

  beforeAll(async () => {
    pool = await freshPool();
    await incident({ severity: 'P1', ackedAt: at(2), resolvedAt: at(30), onTime: 3, missed: 1, late: 2 });
    await incident({
      severity: 'P1',
      ackedAt: at(4),
      impactStartedAt: at(-10),
      resolvedAt: at(50),
      mitigatedAt: at(20),
      onTime: 1,
    });
    await incident({ severity: 'P3' });
    // Neither counts: a drill, and an incident declared before the window.
    await incident({ severity: 'P1', ackedAt: at(40), resolvedAt: at(200), drill: true, onTime: 5 });
    await incident({ severity: 'P1', ackedAt: at(-1000), declaredAt: at(-2000), missed: 4 });
  });

  it('gives median and p90 per severity, from the impact start when known, leaving drills and older incidents out', async () => {
    const figures = await createStatsStore(pool).severityStats(at(-60));
    const stats = statsInPolicyOrder(figures, DEFAULT_POLICY);
    const p1 = stats.find((s) => s.severity === 'P1')!;
    expect(p1.count).toBe(2);
    expect(p1.mtta).toEqual({ median: 3 * 60_000, p90: 3.8 * 60_000 });
    expect(p1.mttr.median).toBe(45 * 60_000);
    expect(p1.mttm).toEqual({ median: 30 * 60_000, p90: 30 * 60_000 });
    expect(p1.updatesOnTime).toBe(0.8);
    expect(stats.find((s) => s.severity === 'P3')).toMatchObject({
      count: 1,
      mtta: { median: null, p90: null },
      updatesOnTime: null,
    });
    expect(stats.map((s) => s.severity)).toEqual(['P0', 'P1', 'P2', 'P3']);
    expect(stats.find((s) => s.severity === 'P0')).toMatchObject({ count: 0, updatesOnTime: null });
  });

  it('keeps update punctuality exact as entries come and go, whatever writes them', async () => {
    await pool.query(`DELETE FROM timeline WHERE kind = 'update_overdue' AND incident_id = 'INC-2026-1122-001'`);
    const p1 = statsInPolicyOrder(await createStatsStore(pool).severityStats(at(-60)), DEFAULT_POLICY)[1]!;
    expect(p1.updatesOnTime).toBe(1);
    const counted = await pool.query(
      `SELECT count(*)::int AS n FROM incidents i WHERE updates_missed <> (
         SELECT count(*) FROM timeline t WHERE t.incident_id = i.id AND t.kind = 'update_overdue')
       OR updates_on_time <> (
         SELECT count(*) FROM status_updates u WHERE u.incident_id = i.id AND u.due_at IS NOT NULL AND u.at <= u.due_at)`,
    );
    expect(counted.rows[0].n).toBe(0);
  });
});

describe('query plans at two years of history', () => {
  let pool: pg.Pool;
  let queries: ReturnType<typeof historyQueries>;

  beforeAll(async () => {
    pool = await freshPool();
    const now = new Date();
    const loaded = await loadHistory(
      pool,
      { days: 730, resolved: 3_000, open: 20, entriesPerIncident: 12, bigEntries: 400 },
      now,
    );
    const middle = await pool.query<{ id: string }>(
      'SELECT id FROM timeline WHERE incident_id = $1 ORDER BY at, id OFFSET 200 LIMIT 1',
      [loaded.bigId],
    );
    queries = historyQueries(now, {
      big: loaded.bigId,
      middleEntry: Number(middle.rows[0]!.id),
      someOpen: loaded.openIds[10]!,
      typedOffset: 300,
      // The stats read changes since their last read: here, one after the history was written.
      lastRead: new Date(),
    });
  }, 60_000);

  it('reads every table that grows with history through an index, never whole', async () => {
    const plans: Record<string, string[]> = {};
    for (const [name, [sql, params]] of Object.entries(queries)) {
      const scans = await scansOf(pool, sql, params);
      expect({ name, scans: scans.length }).not.toEqual({ name, scans: 0 });
      plans[name] = scans
        .filter((s) => BIG_TABLES.includes(s.relation) && s.node === 'Seq Scan')
        .map((s) => `${s.node} on ${s.relation}`);
    }
    expect(plans).toEqual(Object.fromEntries(Object.keys(queries).map((name) => [name, []])));
  });

  it('finds a typed timeline page by counting in an index alone, then reads only the page', async () => {
    const scans = await scansOf(pool, ...queries['timeline typed page']);
    expect(scans).toContainEqual({ node: 'Index Only Scan', relation: 'timeline', index: 'timeline_shown' });
    expect(scans.filter((s) => s.node !== 'Index Only Scan' && s.node !== 'Index Scan')).toEqual([]);
  });

  it('reads what changed since the last stats read through incidents_updated, whatever the history', async () => {
    expect(await scansOf(pool, ...queries['stats changes since the last read'])).toEqual([
      { node: 'Index Scan', relation: 'incidents', index: 'incidents_updated' },
    ]);
  });

  it('loads the stats snapshot, and a window past it, from the index made for them, and nothing else', async () => {
    for (const query of ['stats snapshot load', 'stats past the snapshot (400d)'] as const) {
      const [sql, params] = queries[query];
      expect(await scansOf(pool, sql, params)).toEqual([
        { node: 'Index Only Scan', relation: 'incidents', index: 'incidents_declared' },
      ]);
    }
  });
});
