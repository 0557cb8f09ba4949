import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import type { OpenIncidents, StepDue } from '../../src/incident/ports.js';
import { createLogger } from '../../src/log.js';
import { migrate } from '../../src/postgres/migrate.js';
import { createOpenIncidents } from '../../src/postgres/open-incidents.js';
import { createPool } from '../../src/postgres/pool.js';
import { createTestDatabase } from '../support/db.js';

const now = new Date('2026-11-22T12:00:00Z');
const min = (m: number) => new Date(now.getTime() + m * 60_000);
const STEPS: StepDue[] = [
  { level: 'P1', key: 'P1/0', afterMs: 5 * 60_000 },
  { level: 'P1', key: 'P1/1', afterMs: 30 * 60_000 },
];

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: pg.Pool;
let open: OpenIncidents;
let seq = 0;

async function incident(p: {
  severity?: string;
  status?: string;
  declared: number;
  updateDue?: number;
  acked?: boolean;
  escalated?: string[];
}): Promise<string> {
  const id = `INC-2026-1122-${String(++seq).padStart(3, '0')}`;
  await pool.query(
    `INSERT INTO incidents (id, day, seq, severity, title, status, declared_by, declared_at, next_update_due, acked_at, escalated)
     VALUES ($1, '2026-11-22', $2, $3, 'Due?', $4, 'U0DECLARER', $5, $6, $7, $8)`,
    [
      id,
      seq,
      p.severity ?? 'P1',
      p.status ?? 'investigating',
      min(p.declared),
      p.updateDue === undefined ? null : min(p.updateDue),
      p.acked ? min(p.declared + 1) : null,
      p.escalated ?? [],
    ],
  );
  return id;
}

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, createLogger({ level: 'silent' }), { max: 2 });
  await migrate(pool);
  open = createOpenIncidents(pool);
});
afterAll(async () => {
  await pool.end();
  await db.drop();
});

describe('what the sweep asks Postgres', () => {
  it('returns open incidents with an update or an unfired escalation step due, and nothing else', async () => {
    const updateDue = await incident({ declared: -60, updateDue: -1, acked: true });
    await incident({ declared: -60, updateDue: 10, acked: true });
    const firstStep = await incident({ declared: -6, updateDue: 10 });
    await incident({ declared: -4, updateDue: 10 });
    await incident({ declared: -10, updateDue: 10, escalated: ['P1/0'] });
    const secondStep = await incident({ declared: -40, updateDue: 10, escalated: ['P1/0'] });
    await incident({ declared: -40, updateDue: 10, escalated: ['P1/0', 'P1/1'] });
    await incident({ declared: -40, updateDue: 10, acked: true });
    await incident({ severity: 'P3', declared: -40, updateDue: 10 });
    await incident({ declared: -90, updateDue: -30, status: 'resolved' });

    const due = await open.due(now, STEPS, '', 100);
    expect(due).toEqual([updateDue, firstStep, secondStep].sort());
  });

  it('pages through what is due in ID order', async () => {
    const all = await open.due(now, STEPS, '', 100);
    const first = await open.due(now, STEPS, '', 2);
    const rest = await open.due(now, STEPS, first.at(-1)!, 2);
    expect([...first, ...rest]).toEqual(all);
  });

  it('counts open incidents per severity', async () => {
    expect(Object.fromEntries(await open.countBySeverity())).toEqual({ P1: 8, P3: 1 });
  });
});
