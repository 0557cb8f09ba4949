import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { ADMIN_URL, createTestDatabase, createTestRole, type TestRole } from '../support/db.js';
import { type Harness, startHarness, waitFor } from '../support/harness.js';
import { REPO } from '../support/paths.js';
import { activity, busy, STUBBORN_SQL, Workload } from '../support/pg-sessions.js';
import { type RunbookDriver, runbookDriver } from '../support/runbook-driver.js';

/**
 * Database runbooks end to end: Slack commands and clicks to the bot, the bot to the machine's real
 * PostgreSQL as a role with pg_monitor and pg_signal_backend only. The shipped database playbooks
 * run as they are; a test playbook with a one-second threshold ends statements young enough for a test.
 */
type Db = Awaited<ReturnType<typeof createTestDatabase>>;
let h: Harness;
let run: RunbookDriver;
let shop: Db;
let other: Db;
let diag: TestRole;
let app: TestRole;
let silent: Server;
const held: Socket[] = [];
const sessions: Workload[] = [];

const IC = 'U0DECLARER';
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dbUrl = (db: Db) => ADMIN_URL.replace(/\/[^/]*$/, `/${db.name}`);
/** Cancels a workload's statement as its own application would (the test's, not the bot's). */
async function cancel(pid: number): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  await c.query('SELECT pg_cancel_backend($1)', [pid]);
  await c.end();
}
async function session(application: string, url = app.url(shop.name)): Promise<Workload> {
  const s = await new Workload(url, application).open();
  sessions.push(s);
  return s;
}
/** The result message of a run, once posted. */
const resultOf = (runId: string) =>
  waitFor(
    () =>
      run
        .messages()
        .find((m) => / (finished|failed)/.test(JSON.stringify(m.blocks)) && JSON.stringify(m.blocks).includes(runId)),
    20_000,
    `the result of ${runId}`,
  ).then((m) => JSON.stringify(m.blocks));

beforeAll(async () => {
  [shop, other] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  diag = await createTestRole('diag', ['pg_monitor', 'pg_signal_backend']);
  app = await createTestRole('app');
  const admin = new pg.Client({ connectionString: dbUrl(shop) });
  await admin.connect();
  await admin.query(`CREATE TABLE accounts (id int PRIMARY KEY, email text); INSERT INTO accounts VALUES (1, 'a@b.c')`);
  await admin.query(`GRANT SELECT, UPDATE ON accounts TO ${app.name}`);
  await admin.end();
  silent = createServer((s) => void held.push(s.on('error', () => undefined)));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const dir = mkdtempSync(join(tmpdir(), 'db-playbooks-'));
  for (const f of ['database-health.yaml', 'kill-long-running-queries.yaml', 'ai-database-connections.yaml'])
    copyFileSync(new URL(`playbooks/${f}`, REPO), join(dir, f));
  writeFileSync(
    join(dir, 'kill-test-queries.yaml'),
    `id: kill-test-queries
title: Kill the test's queries
description: Cancels, then terminates, statements of the test's workload older than a second.
severities: [P1]
cooldown: 1s
steps:
  - action: pg-terminate
    database: adaptive-learning
    state: [active, idle in transaction]
    olderThan: 1s
    grace: 2s
    maxBackends: 10
`,
  );
  h = await startHarness({
    env: {
      PLAYBOOKS_DIR: dir,
      DIAG_DATABASE_ADAPTIVE_LEARNING_URL: diag.url(shop.name),
      DIAG_DATABASE_EDUCATION_URL: `postgres://firebreak_diag@127.0.0.1:${(silent.address() as { port: number }).port}/education`,
      // Not set: the bot must boot anyway, and say so.
      DIAG_DATABASE_STUDYTEDDY_URL: '',
      DIAG_TIMEOUT: '2s',
      RUNBOOK_COOLDOWN: '1s',
    },
  });
  run = runbookDriver(h, { requests: [] } as never, h.sql);
  const reply = await h.reply((await h.command('declare P1 Database on fire')).responseUrl);
  const id = /INC-\d{4}-\d{4}-\d{3}/.exec(reply)![0];
  run.setRoom((await h.sql.query('SELECT channel_id FROM incidents WHERE id = $1', [id])).rows[0].channel_id);
});

afterAll(async () => {
  await h.stop();
  for (const s of sessions) await s.close();
  for (const s of held) s.destroy();
  silent.close();
  await Promise.all([shop.drop(), other.drop()]);
  await diag.drop();
  await app.drop();
});

describe('database health from the war room', () => {
  it('/incident playbooks lists the database playbooks with the databases they name', async () => {
    const listed = await h.reply((await h.command('playbooks')).responseUrl);
    expect(listed).toContain(
      'severities P0, P1, P2, P3 · databases adaptive-learning, ai-development, education, studyteddy',
    );
    expect(listed).toContain('kill-long-running-queries');
  });

  it('posts connections, open transactions and lock waits as tables, masked, and puts them on the timeline', async () => {
    const holder = await session('billing-worker');
    await holder.run('BEGIN');
    await holder.run(`UPDATE accounts SET email = 'dana@example.com' WHERE id = 1`);
    const waiter = await session('checkout');
    const blocked = waiter.start(`UPDATE accounts SET email = 'eve@example.com' WHERE id = 1`);
    await busy(waiter.pid, true);
    const { reply, runId } = await run.request('run database-health database=adaptive-learning');
    expect(reply).toContain(`${runId} succeeded`);
    const result = await resultOf(runId!);
    expect(result).toContain('pg-activity database/adaptive-learning');
    expect(result).toMatch(/connections: \d+ of 100 on the server \(max_connections, 3 reserved for superusers\)/);
    expect(result).toMatch(new RegExp(`${holder.pid}\\s+${app.name}\\s+billing-worker\\s+idle in transaction`));
    expect(result).toContain('1 backend waits for a lock:');
    expect(result).toMatch(
      new RegExp(
        `${waiter.pid}\\s+${app.name}\\s+checkout\\s+\\S+\\s+${holder.pid}\\s+UPDATE accounts SET email = \\? WHERE id = \\?`,
      ),
    );
    expect(result).toContain('pg_stat_statements is not installed in database');
    const timeline = (
      await h.sql.query(
        `SELECT text FROM timeline WHERE kind = 'runbook_observed' AND data->>'runId' = $1 ORDER BY id`,
        [runId],
      )
    ).rows.map((r) => r.text as string);
    expect(timeline).toHaveLength(3);
    expect(timeline[1]).toContain(
      `${runId} database-health: pg-locks database/adaptive-learning\n1 backend waits for a lock:`,
    );
    const everything = JSON.stringify(run.messages()) + timeline.join('\n');
    expect(everything).not.toContain('dana@example.com');
    expect(everything).not.toContain('eve@example.com');
    await holder.run('ROLLBACK');
    expect(await blocked).toEqual({ ok: true });
  });

  it('a database that does not answer: a plain message within a few seconds', async () => {
    const started = Date.now();
    const { runId } = await run.request('run database-health database=education');
    expect(await resultOf(runId!)).toContain(
      'Database education did not answer within 2s (no answer) while reading pg_stat_activity. Nothing was run there',
    );
    expect(Date.now() - started).toBeLessThan(8000);
    expect(await run.state(runId!)).toBe('failed');
  });

  it('a database with no connection configured: the bot booted with one warning naming the variable, and the step says what to set', async () => {
    const warnings = h.logs.lines.filter((l) => l.includes('DIAG_DATABASE_STUDYTEDDY_URL is not set'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 40, setting: 'DIAG_DATABASE_STUDYTEDDY_URL' });
    const { runId } = await run.request('run database-health database=studyteddy');
    expect(await resultOf(runId!)).toContain(
      'Firebreak has no connection for database studyteddy: set DIAG_DATABASE_STUDYTEDDY_URL',
    );
    expect(await run.state(runId!)).toBe('failed');
  });

  it('an unknown database or a non-numeric threshold is refused with what is allowed, and nothing runs', async () => {
    const before = (await h.sql.query('SELECT count(*)::int AS n FROM runbook_runs')).rows[0].n;
    expect((await run.request('run database-health database=billing')).reply).toContain(
      '`database=billing` is not allowed (one of adaptive-learning, ai-development, education, studyteddy)',
    );
    expect(
      (await run.request('run kill-long-running-queries database=adaptive-learning minutes=five')).reply,
    ).toContain('`minutes=five` is not allowed (a whole number from 5 to 60)');
    expect((await h.sql.query('SELECT count(*)::int AS n FROM runbook_runs')).rows[0].n).toBe(before);
  });
});

describe('killing long-running queries', () => {
  it('the shipped playbook at its 5-minute threshold finds nothing to end among young statements, and asks nothing', async () => {
    const s = await session('api-server');
    const sleeping = s.start('SELECT pg_sleep(60)');
    await busy(s.pid);
    const { runId } = await run.request('run kill-long-running-queries database=adaptive-learning minutes=5');
    const result = await resultOf(runId!);
    expect(result).toContain(
      'no backend matches (state active or idle in transaction or idle in transaction (aborted), 5m or longer in it); nothing to end',
    );
    expect(await run.cardOf(runId!)).toBeUndefined();
    expect((await activity(s.pid))?.state).toBe('active');
    await cancel(s.pid);
    expect(await sleeping).toEqual({ error: 'canceling statement due to user request' });
  });

  it('approved, ends exactly the listed statements: cancel first, terminate what ignores it; the rest is reported, not touched', async () => {
    const cancellable = await session('api-server');
    const cancellableRun = cancellable.start(`SELECT pg_sleep(60), 'dana@example.com'`);
    const stubborn = await session('batch');
    const stubbornRun = stubborn.start(STUBBORN_SQL);
    const finishing = await session('api-server');
    const finishingRun = finishing.start('SELECT pg_sleep(2.5)');
    const moving = await session('api-server');
    const movingFirst = moving.start('SELECT pg_sleep(60)');
    const root = await session('psql', dbUrl(shop));
    const rootRun = root.start('SELECT pg_sleep(60)');
    const elsewhere = await session('api-server', app.url(other.name));
    const elsewhereRun = elsewhere.start('SELECT pg_sleep(60)');
    for (const s of [cancellable, stubborn, finishing, moving, root, elsewhere]) await busy(s.pid);
    await pause(1100);

    const { runId } = await run.request('run kill-test-queries');
    const card = run.textOf(await waitFor(() => run.cardOf(runId!)));
    expect(card).toContain('4 backends match (state active or idle in transaction, 1s or longer in it)');
    for (const s of [cancellable, stubborn, finishing, moving])
      expect(card).toMatch(new RegExp(`${s.pid}\\s+${app.name}`));
    expect(card).not.toMatch(new RegExp(`\\b${elsewhere.pid}\\b`));
    expect(card).toContain(`pid ${root.pid} (a superuser session)`);
    expect(card).not.toContain('dana@example.com');
    expect(card).toContain('runbook_approve');
    expect(await activity(cancellable.pid)).toMatchObject({ state: 'active' });

    // Before the click: one listed statement ends, one pid moves on to a new statement, a new match appears.
    expect(await finishingRun).toEqual({ ok: true });
    await cancel(moving.pid);
    expect(await movingFirst).toEqual({ error: 'canceling statement due to user request' });
    const movingSecond = moving.start('SELECT pg_sleep(60)');
    const newcomer = await session('api-server');
    const newcomerRun = newcomer.start('SELECT pg_sleep(60)');
    await busy(moving.pid);
    await busy(newcomer.pid);
    await pause(1100);

    await run.click(runId!, 'approve', IC);
    await waitFor(async () => (await run.state(runId!)) === 'succeeded', 20_000, 'the run to succeed');
    const result = await resultOf(runId!);
    expect(result).toContain(`terminated 1: pid ${stubborn.pid} (${app.name}/batch)`);
    expect(result).toContain(
      `cancelled 1 (the statement ended after pg_cancel_backend): pid ${cancellable.pid} (${app.name}/api-server)`,
    );
    expect(result).toContain(`already ended 1: pid ${finishing.pid} (${app.name}/api-server)`);
    expect(result).toContain(`skipped 1: pid ${moving.pid} (${app.name}/api-server): it now runs another statement`);
    expect(result).toContain('2 more now match; they were not in this approval.');

    expect(await cancellableRun).toEqual({ error: 'canceling statement due to user request' });
    expect((await cancellable.run('SELECT 1 AS alive')).rows[0].alive).toBe(1);
    expect(await stubbornRun).toMatchObject({ error: expect.stringContaining('terminat') });
    expect(await activity(stubborn.pid)).toBeUndefined();
    for (const s of [moving, newcomer, root, elsewhere])
      expect(await activity(s.pid)).toMatchObject({ state: 'active' });

    const audit = await run.audit(runId!);
    expect(audit.map((a) => a.event)).toEqual(['requested', 'dry_run', 'approved', 'executed', 'succeeded']);
    const dryRun = audit[1]!.detail as { backends: { pid: number }[] };
    expect(dryRun.backends.map((b) => b.pid).sort()).toEqual(
      [cancellable.pid, stubborn.pid, finishing.pid, moving.pid].sort(),
    );
    expect(audit[3]).toMatchObject({
      actor: IC,
      detail: {
        terminated: [stubborn.pid],
        cancelled: [cancellable.pid],
        ended: [finishing.pid],
        skipped: [{ pid: moving.pid, why: 'it now runs another statement' }],
      },
    });
    const kinds = (
      await h.sql.query(`SELECT kind FROM timeline WHERE data->>'runId' = $1 ORDER BY id`, [runId])
    ).rows.map((r) => r.kind);
    expect(kinds).toEqual([
      'runbook_requested',
      'runbook_dry_run',
      'runbook_approved',
      'runbook_executed',
      'runbook_succeeded',
    ]);

    // The bot's own connections survived: none was lost, its store answers, and its diagnostics read again.
    const again = await run.request('run database-health database=adaptive-learning');
    expect(again.reply).toContain(`${again.runId} succeeded`);
    expect(h.logs.text).not.toContain('connection lost');
    for (const s of [moving, newcomer, root, elsewhere]) await cancel(s.pid);
    for (const ended of await Promise.all([movingSecond, newcomerRun, rootRun, elsewhereRun]))
      expect(ended).toEqual({ error: 'canceling statement due to user request' });
  });

  it('never logs the password of its database role', () => {
    expect(h.logs.text).not.toContain(diag.password);
  });
});
