import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import type { Mutation } from '../../src/incident/mutation.js';
import { createLogger } from '../../src/log.js';
import { createIncidentStore } from '../../src/postgres/incident-store.js';
import { migrate } from '../../src/postgres/migrate.js';
import { createPool } from '../../src/postgres/pool.js';
import { createTestDatabase } from '../support/db.js';

/**
 * Each incident's durations as the stats computed them from its timestamps
 * before migration 016 kept them on the incident.
 */
const FROM_TIMESTAMPS = `
  SELECT id,
    CASE WHEN acked_at >= declared_at THEN date_part('epoch', acked_at - declared_at) END AS tta,
    CASE WHEN mitigated_at >= began THEN date_part('epoch', mitigated_at - began) END AS ttm,
    CASE WHEN resolved_at >= began THEN date_part('epoch', resolved_at - began) END AS ttr
  FROM (SELECT *, COALESCE(impact_started_at, declared_at) AS began FROM incidents) i ORDER BY id`;
const KEPT = 'SELECT id, tta, ttm, ttr FROM incidents ORDER BY id';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: pg.Pool;
const at = (m: number) => new Date(Date.UTC(2026, 10, 22, 10, m));
const change = (m: Partial<Mutation>): Mutation => ({ timeline: [], effects: [], ...m });

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, createLogger({ level: 'silent' }), { max: 2 });
  await migrate(pool);
});

afterAll(async () => {
  await pool.end();
  await db.drop();
});

describe('per-incident figures kept as the incident changes', () => {
  it('stay right through declare, ack, severity change, late and missed updates, mitigate and resolve', async () => {
    const store = createIncidentStore(pool);
    const figures = async (id: string) =>
      (
        await pool.query(
          `SELECT severity, tta, ttm, ttr, updates_on_time, updates_missed FROM incidents WHERE id = $1`,
          [id],
        )
      ).rows[0];
    const { incident } = await store.declare(
      {
        severity: 'P2',
        title: 'Checkout slow',
        impact: null,
        services: [],
        declaredBy: 'U0DECLARER',
        declaredAt: at(0),
        drill: false,
        nextUpdateDue: at(15),
      },
      undefined,
      () => ({ timeline: [], effects: [] }),
    );
    const id = incident.id;
    expect(await figures(id)).toMatchObject({ severity: 'P2', tta: null, ttr: null, updates_on_time: 0 });

    await store.mutate(id, undefined, () => change({ patch: { ackedAt: at(3), ackedBy: 'U0RESPOND1' } }));
    await store.mutate(id, undefined, () => change({ patch: { severity: 'P1' } }));
    expect(await figures(id)).toMatchObject({ severity: 'P1', tta: 180, ttm: null });

    const update = (minute: number, dueMinute: number) =>
      store.mutate(id, undefined, () =>
        change({
          update: {
            at: at(minute),
            author: 'U0RESPOND1',
            status: 'identified',
            progress: 'Rolling back',
            nextSteps: null,
            eta: null,
            nextDue: at(minute + 15),
            dueAt: at(dueMinute),
          },
        }),
      );
    await update(10, 15); // on time
    await update(40, 30); // late: posted ten minutes after it fell due
    await store.addTimeline(id, { at: at(46), actor: 'firebreak', kind: 'update_overdue', text: 'missed', data: {} });
    expect(await figures(id)).toMatchObject({ updates_on_time: 1, updates_missed: 1 });

    // The impact began before the declaration: mitigation and resolution count from there.
    await store.mutate(id, undefined, () =>
      change({ patch: { impactStartedAt: at(-10), status: 'monitoring', mitigatedAt: at(50) } }),
    );
    await store.mutate(id, undefined, () =>
      change({ patch: { status: 'resolved', resolvedAt: at(80), resolution: 'Rolled back' } }),
    );
    expect(await figures(id)).toMatchObject({ severity: 'P1', tta: 180, ttm: 3600, ttr: 5400, updates_missed: 1 });
    // A title or card change leaves the figures as they were; they match the timestamps throughout.
    await pool.query(`UPDATE incidents SET title = 'Checkout slow (EU)', card_ts = '1.2' WHERE id = $1`, [id]);
    expect((await pool.query(KEPT)).rows).toEqual((await pool.query(FROM_TIMESTAMPS)).rows);
  });

  it('are backfilled by migration 016 for incidents stored before it', async () => {
    // Back to the schema before 016, with incidents of every shape, then migrate again.
    await pool.query(`DROP FUNCTION keep_incident_figures() CASCADE;
      ALTER TABLE incidents DROP COLUMN tta, DROP COLUMN ttm, DROP COLUMN ttr;
      CREATE INDEX incidents_declared ON incidents (declared_at)
        INCLUDE (severity, impact_started_at, acked_at, mitigated_at, resolved_at, updates_on_time, updates_missed)
        WHERE NOT drill;
      DELETE FROM schema_migrations WHERE name = '016-incident-figures.sql'`);
    await pool.query(
      `INSERT INTO incidents (id, day, seq, severity, title, status, declared_by, declared_at, drill,
         acked_at, impact_started_at, mitigated_at, resolved_at)
       SELECT 'INC-2026-1101-' || lpad(n::text, 3, '0'), '2026-11-01', n, 'P' || n % 4, 'Old', 'resolved', 'U0DECLARER',
         t, n % 5 = 0, CASE WHEN n % 3 > 0 THEN t + n * interval '1 minute' END,
         CASE WHEN n % 2 = 0 THEN t - interval '7 minutes' END, CASE WHEN n % 4 > 0 THEN t + n * interval '2 minutes' END,
         CASE WHEN n % 6 > 0 THEN t + n * interval '3 minutes' END
       FROM generate_series(1, 30) AS n, LATERAL (SELECT '2026-11-01T08:00:00Z'::timestamptz + n * interval '1 hour' AS t) d`,
    );
    expect(await migrate(pool)).toEqual(['016-incident-figures.sql']);
    const kept = (await pool.query(KEPT)).rows;
    expect(kept).toHaveLength(31);
    expect(kept.filter((r) => r.tta !== null && r.ttm !== null && r.ttr !== null).length).toBeGreaterThan(5);
    expect(kept).toEqual((await pool.query(FROM_TIMESTAMPS)).rows);
  });
});
