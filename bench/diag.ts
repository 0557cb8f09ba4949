/**
 * Database diagnostics: how long `pg-activity` takes from a request's point of view (a read-only
 * transaction, the server figures, every backend of the database, then the tables), beside the
 * floor measured in the same run: a bare `SELECT * FROM pg_stat_activity` on an open connection.
 * And what masking literals costs per statement, beside flattening the same text's whitespace.
 */
import pg from 'pg';
import { createPgDiagnostics } from '../src/diag/postgres.js';
import { createLogger } from '../src/log.js';
import { readDatabase } from '../src/runbook/database-reads.js';
import { ACTIONS, type Step } from '../src/runbook/playbook-schema.js';
import { maskSql } from '../src/runbook/query-text.js';
import { createTestDatabase, createTestRole } from '../test/support/db.js';
import { percentile } from './support.js';

const RUNS = 60;
/** Sessions held open in the database, a third of them sleeping: the server is shared, so kept modest. */
const SESSIONS = 30;

const ms = (values: number[]) =>
  `p50 ${percentile(values, 50).toFixed(1)} ms, p95 ${percentile(values, 95).toFixed(1)} ms`;

async function timed(work: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let n = 0; n < RUNS; n++) {
    const start = performance.now();
    await work();
    out.push(performance.now() - start);
  }
  return out;
}

export async function diagBench(): Promise<string[]> {
  const db = await createTestDatabase();
  const diag = await createTestRole('diag', ['pg_monitor', 'pg_signal_backend']);
  const app = await createTestRole('app');
  const clients: pg.Client[] = [];
  const d = createPgDiagnostics(new Map([['bench', diag.url(db.name)]]), {
    timeoutMs: 5000,
    log: createLogger({ level: 'silent' }),
  });
  const floor = new pg.Client({ connectionString: diag.url(db.name) });
  try {
    for (let n = 0; n < SESSIONS; n++) {
      const c = new pg.Client({ connectionString: app.url(db.name), application_name: `bench-${n % 5}` });
      c.on('error', () => undefined);
      await c.connect();
      clients.push(c);
      if (n % 3 === 0) void c.query(`SELECT pg_sleep(600), 'bench-${n}@example.com'`).catch(() => undefined);
    }
    await floor.connect();
    const step = { action: 'pg-activity', ...ACTIONS['pg-activity'].parse({ database: 'bench', longerThan: '1s' }) };
    await readDatabase(d, step as Extract<Step, { action: 'pg-activity' }>);
    const bare = await timed(() => floor.query('SELECT * FROM pg_stat_activity'));
    const snapshot = await timed(() => d.snapshot('bench'));
    const activity = await timed(() => readDatabase(d, step as Extract<Step, { action: 'pg-activity' }>));

    const statement = `SELECT o.id, o.total FROM orders o WHERE o.email = 'dana@example.com' AND o.id IN (${Array.from({ length: 200 }, (_, n) => n).join(', ')}) AND o.note = $$free text$$ -- from checkout\n`;
    const texts = Array.from({ length: 5000 }, (_, n) => `${statement} /* ${n} */`);
    const time = (work: (t: string) => string) => {
      const start = performance.now();
      for (const t of texts) work(t);
      return ((performance.now() - start) * 1000) / texts.length;
    };
    const flat = time((t) => t.replace(/\s+/g, ' '));
    const masked = time(maskSql);
    return [
      `pg-activity on a database with ${SESSIONS} sessions (${RUNS} runs each, role with pg_monitor only):`,
      `  snapshot (read-only transaction, server figures, backends):  ${ms(snapshot)}`,
      `  pg-activity, tables included:                                ${ms(activity)}`,
      `  floor, bare SELECT * FROM pg_stat_activity:                  ${ms(bare)}`,
      `masking a ${statement.length}-character statement: ${masked.toFixed(1)} µs (floor, flattening its whitespace: ${flat.toFixed(1)} µs)`,
    ];
  } finally {
    await floor.end().catch(() => undefined);
    await d.close();
    for (const c of clients) await c.end().catch(() => undefined);
    await db.drop();
    await diag.drop();
    await app.drop();
  }
}
