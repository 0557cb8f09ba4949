import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createPgDiagnostics } from '../../src/diag/postgres.js';
import { DiagnosticsFailure } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { keyOf, standing } from '../../src/runbook/backend-filter.js';
import { readDatabase } from '../../src/runbook/database-reads.js';
import { ACTIONS, type Step } from '../../src/runbook/playbook-schema.js';
import { ADMIN_URL, createTestDatabase, createTestRole, type TestRole } from '../support/db.js';
import { LogCapture } from '../support/harness.js';
import { activity, busy, STUBBORN_SQL, Workload } from '../support/pg-sessions.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/**
 * The Postgres diagnostics against the machine's real PostgreSQL, logged in as a role with
 * pg_monitor and pg_signal_backend only (what the README recommends), on databases of the test's own.
 */
type Db = Awaited<ReturnType<typeof createTestDatabase>>;
let shop: Db;
let other: Db;
let diag: TestRole;
let app: TestRole;
let admin: pg.Client;
const logs = new LogCapture();
let d: ReturnType<typeof createPgDiagnostics>;
const sessions: Workload[] = [];

const step = <A extends 'pg-activity' | 'pg-locks' | 'pg-slow-queries'>(action: A, fields: Record<string, unknown>) =>
  ({ action, ...ACTIONS[action].parse({ database: 'shop', ...fields }) }) as Extract<Step, { action: A }>;
async function session(application: string, db: Db = shop, role: TestRole = app): Promise<Workload> {
  const s = await new Workload(role.url(db.name), application).open();
  sessions.push(s);
  return s;
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fail = (): never => {
  throw new Error('the server answered nothing for a listed backend');
};

beforeAll(async () => {
  shop = await createTestDatabase();
  other = await createTestDatabase();
  diag = await createTestRole('diag', ['pg_monitor', 'pg_signal_backend']);
  app = await createTestRole('app');
  admin = new pg.Client({ connectionString: ADMIN_URL.replace(/\/[^/]*$/, `/${shop.name}`) });
  await admin.connect();
  await admin.query(`CREATE TABLE accounts (id int PRIMARY KEY, email text); INSERT INTO accounts VALUES (1, 'a@b.c')`);
  await admin.query(`GRANT SELECT, UPDATE ON accounts TO ${app.name}`);
  d = createPgDiagnostics(new Map([['shop', diag.url(shop.name)]]), {
    timeoutMs: 2000,
    log: createLogger({ level: 'warn', secrets: [diag.password] }, logs),
  });
});

afterAll(async () => {
  await d.close();
  for (const s of sessions) await s.close();
  await admin.end();
  await shop.drop();
  await other.drop();
  await diag.drop();
  await app.drop();
});

describe('pg-activity and pg-locks on a real database', () => {
  /** A session that updated a row and left its transaction open, holding the row's lock. */
  let holder: Workload;

  it('show a statement held open with pg_sleep and a transaction left open, with durations, masked', async () => {
    const sleeper = await session('api-server');
    const sleeping = sleeper.start(`SELECT pg_sleep(60), 'dana@example.com'`);
    holder = await session('billing-worker');
    await holder.run('BEGIN');
    await holder.run(`UPDATE accounts SET email = 'eve@example.com' WHERE id = 1`);
    await busy(sleeper.pid);
    await pause(1100);
    const lines = (await readDatabase(d, step('pg-activity', { longerThan: '1s' }))).join('\n');
    expect(lines).toMatch(new RegExp(`; \\d+ to database ${shop.name}`));
    expect(lines).toMatch(/by state: .*active \d+.*idle in transaction 1/);
    expect(lines).toMatch(/by application: .*api-server 1.*billing-worker 1/);
    expect(lines).toMatch(
      new RegExp(
        `${holder.pid}\\s+${app.name}\\s+billing-worker\\s+idle in transaction\\s+1s\\s+UPDATE accounts SET email = \\? WHERE id = \\?`,
      ),
    );
    expect(lines).toMatch(
      new RegExp(
        `${sleeper.pid}\\s+${app.name}\\s+api-server\\s+127\\.0\\.0\\.1\\s+Timeout:PgSleep\\s+1s\\s+SELECT pg_sleep\\(\\?\\), \\?`,
      ),
    );
    expect(lines).not.toContain('dana@example.com');
    expect(lines).not.toContain('eve@example.com');
    // Reading changed nothing: the statement still sleeps and the transaction is still open.
    expect((await activity(sleeper.pid))?.state).toBe('active');
    expect((await activity(holder.pid))?.state).toBe('idle in transaction');
    await admin.query('SELECT pg_cancel_backend($1)', [sleeper.pid]);
    expect(await sleeping).toEqual({ error: 'canceling statement due to user request' });
  });

  it('show a blocked backend, who blocks it (pg_blocking_pids) and how long it has waited', async () => {
    const waiter = await session('checkout');
    const blocked = waiter.start(`UPDATE accounts SET email = 'frank@example.com' WHERE id = 1`);
    await busy(waiter.pid, true);
    await pause(1100);
    const lines = (await readDatabase(d, step('pg-locks', {}))).join('\n');
    expect(lines).toContain('1 backend waits for a lock:');
    expect(lines).toMatch(
      new RegExp(
        `${waiter.pid}\\s+${app.name}\\s+checkout\\s+1s\\s+${holder.pid}\\s+UPDATE accounts SET email = \\? WHERE id = \\?`,
      ),
    );
    expect(lines).toContain(`blocking them (at the head of the queue: ${holder.pid}):`);
    expect(lines).toMatch(new RegExp(`${holder.pid}\\s+${app.name}\\s+billing-worker\\s+idle in transaction`));
    await holder.run('ROLLBACK');
    expect(await blocked).toEqual({ ok: true });
    expect(await readDatabase(d, step('pg-locks', {}))).toEqual([
      `no backend of database ${shop.name} waits for a lock`,
    ]);
  });
});

describe('pg-slow-queries on a server without pg_stat_statements loaded', () => {
  it('says the extension is not installed, and how to enable it', async () => {
    expect(await readDatabase(d, step('pg-slow-queries', {}))).toEqual([
      `pg_stat_statements is not installed in database ${shop.name}, so there are no statement timings. To enable it: add pg_stat_statements to shared_preload_libraries in postgresql.conf (this needs a restart), then run CREATE EXTENSION pg_stat_statements; in database ${shop.name}.`,
    ]);
  });

  it('says it is installed but not loaded, when it is created but not preloaded', async () => {
    await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const preload = (await admin.query('SHOW shared_preload_libraries')).rows[0].shared_preload_libraries as string;
    expect(preload).not.toContain('pg_stat_statements');
    expect(await readDatabase(d, step('pg-slow-queries', {}))).toEqual([
      `pg_stat_statements is installed in database ${shop.name} but not loaded: add pg_stat_statements to shared_preload_libraries in postgresql.conf and restart PostgreSQL.`,
    ]);
  });
});

describe('signals, each only to the listed session in the listed statement', () => {
  const snapshotOf = async (pid: number) => (await d.snapshot('shop')).backends.find((b) => b.pid === pid)!;

  it('a cancel ends the statement and leaves the session; a terminate ends the session', async () => {
    const s = await session('api-server');
    const first = s.start('SELECT pg_sleep(60)');
    await busy(s.pid);
    const [cancelled = fail()] = await d.signal('shop', [keyOf(await snapshotOf(s.pid))], 'cancel');
    expect(cancelled).toMatchObject({ signalled: true });
    expect(await first).toEqual({ error: 'canceling statement due to user request' });
    expect((await s.run('SELECT 1 AS one')).rows[0].one).toBe(1);
    const second = s.start('SELECT pg_sleep(60)');
    await busy(s.pid);
    const [terminated = fail()] = await d.signal('shop', [keyOf(await snapshotOf(s.pid))], 'terminate');
    expect(terminated).toMatchObject({ signalled: true });
    expect(await second).toMatchObject({ error: expect.stringContaining('terminat') });
    expect(await activity(s.pid)).toBeUndefined();
  });

  it('a statement that ended, or a new statement on the same pid, is not signalled', async () => {
    const s = await session('api-server');
    const first = s.start('SELECT pg_sleep(0.3)');
    await busy(s.pid);
    const listed = keyOf(await snapshotOf(s.pid));
    await first;
    const [ended = fail()] = await d.signal('shop', [listed], 'terminate');
    expect(ended.signalled).toBe(false);
    expect(standing(listed, ended.found)).toBe('ended');
    // The same pid, now running a new statement: what a reused pid looks like to the check.
    const next = s.start('SELECT pg_sleep(60)');
    await busy(s.pid);
    const [moved = fail()] = await d.signal('shop', [listed], 'terminate');
    expect(moved.signalled).toBe(false);
    expect(standing(listed, moved.found)).toBe('other-statement');
    expect((await activity(s.pid))?.state).toBe('active');
    await admin.query('SELECT pg_cancel_backend($1)', [s.pid]);
    await next;
  });

  it('a statement that ignores the cancel keeps its identity, and the terminate after it ends the session', async () => {
    const s = await session('stubborn-job');
    const running = s.start(STUBBORN_SQL);
    await busy(s.pid);
    const listed = keyOf(await snapshotOf(s.pid));
    expect((await d.signal('shop', [listed], 'cancel'))[0]!.signalled).toBe(true);
    await pause(300);
    const after = await snapshotOf(s.pid);
    expect(standing(listed, keyOf(after))).toBe('same');
    expect((await d.signal('shop', [listed], 'terminate'))[0]!.signalled).toBe(true);
    expect(await running).toMatchObject({ error: expect.stringContaining('terminat') });
  });

  it("never signals a superuser's session (the role may not), its own connections, or another database's", async () => {
    const root = new Workload(ADMIN_URL.replace(/\/[^/]*$/, `/${shop.name}`), 'psql');
    await root.open();
    sessions.push(root);
    const rootSleep = root.start('SELECT pg_sleep(60)');
    const elsewhere = await session('api-server', other);
    const elsewhereSleep = elsewhere.start('SELECT pg_sleep(60)');
    await busy(root.pid);
    await busy(elsewhere.pid);
    const snap = await d.snapshot('shop');
    const self = snap.backends.find((b) => b.self)!;
    expect(snap.backends.some((b) => b.pid === elsewhere.pid)).toBe(false);
    const foreign = { ...keyOf(self), pid: elsewhere.pid };
    const results = await d.signal('shop', [keyOf(snapshotFrom(snap, root.pid)), keyOf(self), foreign], 'terminate');
    expect(results.map((r) => r.signalled)).toEqual([false, false, false]);
    expect(results[0]!.refused).toBe('must be a superuser to terminate superuser process');
    expect(results[1]!.found).toBeNull();
    expect(results[2]!.found).toBeNull();
    expect((await activity(root.pid))?.state).toBe('active');
    expect((await activity(elsewhere.pid))?.state).toBe('active');
    await admin.query('SELECT pg_cancel_backend($1), pg_cancel_backend($2)', [root.pid, elsewhere.pid]);
    await Promise.all([rootSleep, elsewhereSleep]);
  });
});

const snapshotFrom = (snap: Awaited<ReturnType<typeof d.snapshot>>, pid: number) =>
  snap.backends.find((b) => b.pid === pid)!;

describe('a database that does not answer', () => {
  it('refusing connections: a plain message at once', async () => {
    const down = createPgDiagnostics(new Map([['shop', 'postgres://firebreak_diag:pw-closed@127.0.0.1:9/shop']]), {
      timeoutMs: 2000,
      log: createLogger({ level: 'silent' }),
    });
    const err = await down.snapshot('shop').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiagnosticsFailure);
    expect((err as Error).message).toBe(
      'Database shop did not answer within 2s (ECONNREFUSED) while reading pg_stat_activity. Nothing was run there; check that it is up and reachable from Firebreak, and the host in DIAG_DATABASE_SHOP_URL.',
    );
    expect((err as Error).message).not.toContain('pw-closed');
    await down.close();
  });

  it('accepting connections and never answering: a plain message within the timeout', async () => {
    const held: Socket[] = [];
    const silent: Server = createServer((s) => void held.push(s.on('error', () => undefined)));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const hung = createPgDiagnostics(new Map([['shop', `postgres://firebreak_diag@127.0.0.1:${port}/shop`]]), {
      timeoutMs: 1500,
      log: createLogger({ level: 'silent' }),
    });
    try {
      const started = Date.now();
      const err = (await hung.snapshot('shop').catch((e: unknown) => e)) as DiagnosticsFailure;
      expect(Date.now() - started).toBeLessThan(4000);
      expect(err.code).toBe('unreachable');
      expect(err.message).toMatch(
        /^Database shop did not answer within 1.5s \(no answer\) while reading pg_stat_activity/,
      );
    } finally {
      await hung.close();
      for (const s of held) s.destroy();
      silent.close();
    }
  });

  it('stopping mid-session: the read gives up shortly after its statement timeout would have', async () => {
    const url = new URL(diag.url(shop.name));
    const proxy = await new TcpProxy({ host: url.hostname, port: Number(url.port || 5432) }).start();
    url.port = String(proxy.port);
    const frozen = createPgDiagnostics(new Map([['shop', url.toString()]]), {
      timeoutMs: 1000,
      log: createLogger({ level: 'silent' }),
    });
    try {
      expect((await frozen.snapshot('shop')).database).toBe(shop.name);
      proxy.freeze();
      const started = Date.now();
      const err = (await frozen.snapshot('shop').catch((e: unknown) => e)) as DiagnosticsFailure;
      expect(Date.now() - started).toBeLessThan(4000);
      expect(err.message).toMatch(/^Database shop did not (finish reading pg_stat_activity|answer) within 1s/);
    } finally {
      await proxy.stop();
      await frozen.close();
    }
  });

  it('never logs the password of its connection', () => {
    expect(logs.text).not.toContain(diag.password);
  });
});
