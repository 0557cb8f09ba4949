import { describe, expect, it } from '@jest/globals';
import { DiagnosticsFailure } from '../../src/errors.js';
import type { BackendView } from '../../src/runbook/database-views.js';
import { type MemoryRunbooks, memoryRunbooks, refusal, shown } from '../support/memory/runbooks.js';

const MINUTE = 60_000;
const IC = 'U0DECLARER';
const REQUESTER = 'U0RESPOND1';

/** The lines of the run's result message. */
function result(w: MemoryRunbooks, runId: string): string[] {
  const m = w.chat.about(runId).find((x) => x.notice.kind === 'result');
  return m?.notice.kind === 'result' ? [...m.notice.lines] : [];
}
const text = (lines: readonly string[]) => lines.join('\n');
const identity = (b: BackendView) => ({ pid: b.pid, backendStart: b.backendStart, queryStart: b.queryStart });

describe('database health, read-only', () => {
  it('shows connections, long transactions, lock waits and slow statements as tables, masked, with no approval', async () => {
    const w = memoryRunbooks();
    const blocker = w.databases.add('shop', {
      state: 'idle in transaction',
      application: 'billing-worker',
      forMs: 12 * MINUTE,
      query: "UPDATE accounts SET email = 'dana@example.com' WHERE id = 42",
    });
    const waiter = w.databases.add('shop', {
      forMs: 3 * MINUTE,
      waitEvent: 'Lock:transactionid',
      blockedBy: [blocker.pid],
      query: 'UPDATE accounts SET plan = $1 WHERE id = 42',
    });
    w.databases.add('shop', { state: 'idle', forMs: 30_000 });
    w.databases.add('shop', { self: true, application: 'firebreak-diag', query: 'SELECT … FROM pg_stat_activity' });
    const { run } = await w.request('db-health');
    expect(run.state).toBe('succeeded');
    expect(w.chat.cards(run.id)).toEqual([]);
    const lines = text(result(w, run.id));
    expect(lines).toContain('pg-activity database/shop');
    expect(lines).toContain(
      'connections: 4 of 100 on the server (max_connections, 3 reserved for superusers); 3 to database shop',
    );
    expect(lines).toContain('by state: active 1 · idle 1 · idle in transaction 1');
    expect(lines).toMatch(
      new RegExp(
        `${blocker.pid}\\s+app\\s+billing-worker\\s+idle in transaction\\s+12m\\s+UPDATE accounts SET email = \\? WHERE id = \\?`,
      ),
    );
    expect(lines).toMatch(/active for 1m or longer: 1/);
    expect(lines).toContain('pg-locks database/shop');
    expect(lines).toMatch(
      new RegExp(
        `${waiter.pid}\\s+app\\s+api-server\\s+3m\\s+${blocker.pid}\\s+UPDATE accounts SET plan = \\$1 WHERE id = \\?`,
      ),
    );
    expect(lines).toContain(`blocking them (at the head of the queue: ${blocker.pid}):`);
    expect(lines).toContain('pg-slow-queries database/shop');
    expect(lines).not.toContain('dana@example.com');
    expect(lines).not.toContain('pg_stat_activity');
    // Each diagnostic is on the timeline as it was seen, one table row a line, for the postmortem.
    const seen = w.incidents.timeline.filter((t) => t.entry.kind === 'runbook_observed').map((t) => t.entry.text);
    expect(seen).toHaveLength(3);
    expect(seen[0]).toMatch(new RegExp(`^${run.id} db-health: pg-activity database/shop\\nconnections: 4 of 100`));
    expect(seen[1]).toContain(`${waiter.pid}  app`);
    expect(w.runs.events(run.id)).toEqual(['requested', 'succeeded']);
  });

  it('says so plainly when the database does not answer, and the run fails with it', async () => {
    const w = memoryRunbooks();
    const silent = 'Database shop did not answer within 5s (ECONNREFUSED) while reading pg_stat_activity.';
    w.databases.failNext('shop', new DiagnosticsFailure('unreachable', silent));
    const { run } = await w.request('db-health');
    expect(run).toMatchObject({ state: 'failed' });
    expect(result(w, run.id)).toEqual([silent]);
  });

  it('shows the slowest statements by mean and total time when pg_stat_statements has them', async () => {
    const w = memoryRunbooks();
    w.databases.setStatements('shop', {
      available: true,
      source: 'pg_stat_statements 1.10',
      byMean: [{ calls: 3, meanMs: 1520, totalMs: 4560, rows: 3, query: "SELECT * FROM t WHERE name = 'x'" }],
      byTotal: [{ calls: 90210, meanMs: 0.4, totalMs: 36_084, rows: 90210, query: 'SELECT 1' }],
    });
    const { run } = await w.request('db-health');
    const lines = text(result(w, run.id));
    expect(lines).toContain('pg_stat_statements 1.10; top 1 by mean time:');
    expect(lines).toMatch(/3\s+1\.5 s\s+4\.6 s\s+3\s+SELECT \* FROM t WHERE name = \?/);
    expect(lines).toMatch(/90210\s+0\.40 ms\s+36\.1 s\s+90210\s+SELECT \?/);
  });
});

describe('redis-info, read-only', () => {
  it('shows clients, memory, evictions and the slowest recent commands, their values masked', async () => {
    const w = memoryRunbooks({
      playbooks: {
        'cache-health': `id: cache-health
title: Cache health
description: Clients, memory, evictions and slow commands of the sessions cache.
severities: [P1]
steps:
  - action: redis-info
    redis: sessions
    slowlog: 2
`,
      },
    });
    w.redis.servers.set('sessions', {
      info: {
        redis_version: '7.0.15',
        role: 'master',
        uptime_in_seconds: '93784',
        connected_clients: '412',
        blocked_clients: '3',
        maxclients: '10000',
        rejected_connections: '17',
        used_memory: String(1.5 * 1024 ** 3),
        maxmemory: String(2 * 1024 ** 3),
        used_memory_peak: String(1.9 * 1024 ** 3),
        mem_fragmentation_ratio: '1.12',
        maxmemory_policy: 'allkeys-lru',
        evicted_keys: '120345',
        expired_keys: '998',
        keyspace_hits: '990',
        keyspace_misses: '10',
      },
      slowlog: [
        {
          id: 9,
          at: 1767268800,
          micros: 2_500,
          args: ['GET', 'session:77f1'],
          client: '10.0.0.4:5000',
          clientName: '',
        },
        {
          id: 8,
          at: 1767268790,
          micros: 48_200,
          args: ['SET', 'user:1234:email', 'dana@example.com'],
          client: '10.0.0.3:5123',
          clientName: 'api',
        },
        { id: 7, at: 1767268780, micros: 90_000, args: ['KEYS', '*'], client: '10.0.0.3:5123', clientName: 'api' },
      ],
    });
    const { run } = await w.request('cache-health');
    expect(run.state).toBe('succeeded');
    expect(result(w, run.id)).toEqual([
      'redis-info redis/sessions',
      '  redis 7.0.15, master, up 1d 2h',
      '  clients: 412 connected, 3 blocked, at most 10000; 17 connections rejected',
      '  memory: 1.5 GiB used of maxmemory 2.0 GiB (75.0%); peak 1.9 GiB; fragmentation 1.12; policy allkeys-lru',
      '  evictions: 120345 keys evicted, 998 expired; keyspace hits 99.0% of 1000 lookups',
      '  slowest recent commands (the latest 2 in SLOWLOG, slowest first):',
      '    id  at (UTC)  took   client             command',
      '    8   11:59:50  48 ms  10.0.0.3:5123 api  SET user:?:email ?',
      '    9   12:00:00  3 ms   10.0.0.4:5000      GET session:?',
    ]);
    expect(w.incidents.kinds(w.incident.id)).toContain('runbook_observed');
  });
});

/** A shop database with one statement running 12 minutes, and what must never be ended. */
function shopUnderLoad(w: MemoryRunbooks) {
  const slow = w.databases.add('shop', { forMs: 12 * MINUTE });
  const slower = w.databases.add('shop', { forMs: 20 * MINUTE, user: 'reports', application: 'metabase' });
  const young = w.databases.add('shop', { forMs: 30_000 });
  const idle = w.databases.add('shop', { state: 'idle', forMs: 40 * MINUTE });
  const superuser = w.databases.add('shop', { forMs: 15 * MINUTE, user: 'postgres', superuser: true });
  const walsender = w.databases.add('shop', { forMs: 60 * MINUTE, backendType: 'walsender', application: 'replica' });
  const autovacuum = w.databases.add('shop', { forMs: 25 * MINUTE, backendType: 'autovacuum worker' });
  const ours = w.databases.add('shop', { forMs: 30 * MINUTE, application: 'firebreak' });
  const self = w.databases.add('shop', { forMs: 30 * MINUTE, self: true, application: 'firebreak-diag' });
  w.databases.addDatabase('other');
  const elsewhere = w.databases.add('other', { forMs: 50 * MINUTE });
  return { slow, slower, young, idle, superuser, walsender, autovacuum, ours, self, elsewhere };
}

describe('killing long-running queries', () => {
  it('previews exactly the backends that match, oldest first, and what it leaves alone; nothing is signalled yet', async () => {
    const w = memoryRunbooks();
    const b = shopUnderLoad(w);
    const { run } = await w.request('kill-queries', { minutes: '10' });
    expect(run.state).toBe('awaiting_approval');
    expect(run.target).toBe('database/shop');
    const [summary, header, first, second, ...rest] = run.preview!.lines;
    expect(summary).toMatch(/^2 backends match \(state active, 10m or longer in it\); each is cancelled/);
    expect(header).toMatch(/^pid\s+user\s+application\s+state\s+for\s+query$/);
    expect(first).toMatch(
      new RegExp(
        `^${b.slower.pid}\\s+reports\\s+metabase\\s+active\\s+20m\\s+SELECT \\* FROM reports WHERE owner = \\?$`,
      ),
    );
    expect(second).toMatch(new RegExp(`^${b.slow.pid}\\s+app\\s+api-server\\s+active\\s+12m`));
    expect(rest).toEqual([
      `left alone though they match: pid ${b.superuser.pid} (a superuser session), pid ${b.walsender.pid} (replication), pid ${b.autovacuum.pid} (a background process (autovacuum worker)), pid ${b.ours.pid} (Firebreak's own connection), pid ${b.self.pid} (Firebreak's own connection)`,
    ]);
    expect(run.preview!.binding.seen.backends?.map((k) => k.pid)).toEqual([b.slow.pid, b.slower.pid].sort());
    expect(w.databases.sent).toEqual([]);
    expect(shown(w.card(run.id).notice)).toBe('awaiting_approval');
    // The activity before the card is posted as progress, so the approver sees it too.
    const progress = w.chat.about(run.id).find((m) => m.notice.kind === 'progress')!;
    expect(progress.notice.kind === 'progress' && text(progress.notice.lines)).toContain('active for 1m or longer');
    const dryRun = w.runs.trail.find((e) => e.event === 'dry_run')!;
    expect(dryRun.detail).toMatchObject({ action: 'pg-terminate', generation: null });
    expect((dryRun.detail.backends as unknown[]).map((k) => (k as { pid: number }).pid)).toEqual(
      [b.slow.pid, b.slower.pid].sort(),
    );
  });

  it('needs a second person, like every change; the requester cannot approve it', async () => {
    const w = memoryRunbooks();
    shopUnderLoad(w);
    const { run } = await w.request('kill-queries');
    expect(await refusal(w.click(run.id, 'approve', REQUESTER))).toContain('someone else must approve');
    expect(w.databases.sent).toEqual([]);
  });

  it('approved: cancels each listed statement; those that stop are reported cancelled, and nothing else is touched', async () => {
    const w = memoryRunbooks();
    const b = shopUnderLoad(w);
    const { run } = await w.request('kill-queries', { minutes: '10' });
    await w.click(run.id, 'approve', IC);
    await w.fire();
    expect(w.databases.sent).toEqual([
      { database: 'shop', pid: Math.min(b.slow.pid, b.slower.pid), signal: 'cancel' },
      { database: 'shop', pid: Math.max(b.slow.pid, b.slower.pid), signal: 'cancel' },
    ]);
    for (const kept of [b.young, b.idle, b.superuser, b.walsender, b.autovacuum, b.ours, b.self, b.elsewhere])
      expect(w.databases.backend(kept.pid)).toMatchObject(identity(kept));
    const done = await w.run(run.id);
    expect(done.state).toBe('succeeded');
    const lines = result(w, run.id);
    expect(lines[0]).toBe('pg-terminate database/shop');
    expect(lines[1]).toMatch(
      /^ {2}cancelled 2 \(the statement ended after pg_cancel_backend\): pid \d+ \(app\/api-server\), pid \d+ \(reports\/metabase\)$/,
    );
    expect(w.runs.events(run.id)).toEqual(['requested', 'dry_run', 'approved', 'executed', 'succeeded']);
    const executed = w.runs.trail.find((e) => e.event === 'executed')!;
    expect(executed.actor).toBe(IC);
    expect(executed.detail).toMatchObject({ terminated: [], ended: [], skipped: [] });
    expect(executed.detail.cancelled).toEqual([b.slow.pid, b.slower.pid].sort());
    expect(w.incidents.kinds(w.incident.id)).toContain('runbook_executed');
  });

  it('terminates, after the grace period, a statement that ignored the cancel', async () => {
    const w = memoryRunbooks();
    const stubborn = w.databases.add('shop', { forMs: 15 * MINUTE });
    w.databases.stubborn.add(stubborn.pid);
    const { run } = await w.request('kill-queries');
    const started = w.clock.now().getTime();
    await w.click(run.id, 'approve', IC);
    await w.fire();
    expect(w.databases.sent.map((s) => s.signal)).toEqual(['cancel', 'terminate']);
    expect(w.clock.now().getTime() - started).toBe(10_000);
    expect(w.databases.backend(stubborn.pid)).toBeUndefined();
    expect(result(w, run.id)[1]).toBe(`  terminated 1: pid ${stubborn.pid} (app/api-server)`);
  });

  it('stops waiting as soon as every cancelled statement has ended', async () => {
    const w = memoryRunbooks();
    w.databases.add('shop', { forMs: 15 * MINUTE });
    const started = w.clock.now().getTime();
    const { run } = await w.request('kill-queries');
    await w.click(run.id, 'approve', IC);
    await w.fire();
    expect(w.clock.now().getTime() - started).toBe(1_000);
    expect(w.databases.sent.map((s) => s.signal)).toEqual(['cancel']);
  });

  it('binds to the list: a statement that ended, a pid running a new statement or a new session, and new matches are not touched', async () => {
    const w = memoryRunbooks();
    const ended = w.databases.add('shop', { forMs: 11 * MINUTE });
    const rerun = w.databases.add('shop', { forMs: 12 * MINUTE });
    const reused = w.databases.add('shop', { forMs: 13 * MINUTE });
    const gone = w.databases.add('shop', { forMs: 14 * MINUTE });
    const kept = w.databases.add('shop', { forMs: 15 * MINUTE });
    const { run } = await w.request('kill-queries');
    expect(run.preview!.binding.seen.backends).toHaveLength(5);
    w.clock.advance(MINUTE);
    w.databases.change(ended.pid, { state: 'idle', stateChange: w.databases.iso() });
    // The same session started another statement that is itself old enough to match: it was not approved.
    w.databases.change(rerun.pid, { queryStart: w.databases.iso(20 * MINUTE), stateChange: w.databases.iso() });
    // The pid now belongs to a new session (the old one ended and the operating system reused its pid).
    w.databases.change(reused.pid, { backendStart: w.databases.iso(), queryStart: w.databases.iso(11 * MINUTE) });
    w.databases.disconnect(gone.pid);
    const newcomer = w.databases.add('shop', { forMs: 30 * MINUTE });
    await w.click(run.id, 'approve', IC);
    await w.fire();
    expect(w.databases.sent).toEqual([{ database: 'shop', pid: kept.pid, signal: 'cancel' }]);
    for (const b of [rerun, reused, newcomer]) expect(w.databases.backend(b.pid)?.state).toBe('active');
    const lines = result(w, run.id);
    expect(lines).toEqual([
      'pg-terminate database/shop',
      `  cancelled 1 (the statement ended after pg_cancel_backend): pid ${kept.pid} (app/api-server)`,
      `  already ended 2: pid ${ended.pid} (app/api-server), pid ${gone.pid} (app/api-server)`,
      `  skipped 2: pid ${rerun.pid} (app/api-server): it now runs another statement; pid ${reused.pid} (app/api-server): its pid now belongs to a new session`,
      '  3 more now match; they were not in this approval. Request the run again to preview them.',
    ]);
    const executed = w.runs.trail.find((e) => e.event === 'executed')!;
    expect(executed.detail).toMatchObject({ cancelled: [kept.pid], ended: [ended.pid, gone.pid] });
  });

  it('reports a backend the database refused to signal as skipped, and ends the others', async () => {
    const w = memoryRunbooks({
      playbooks: {
        'kill-all': `id: kill-all
title: Kill everything old, superusers included
description: Terminates every statement older than a minute.
severities: [P1]
steps:
  - action: pg-terminate
    database: shop
    olderThan: 1m
    mode: terminate
    include: [superusers]
`,
      },
    });
    const root = w.databases.add('shop', { forMs: 5 * MINUTE, user: 'postgres', superuser: true });
    const app = w.databases.add('shop', { forMs: 5 * MINUTE });
    const { run } = await w.request('kill-all');
    await w.click(run.id, 'approve', IC);
    await w.fire();
    expect(w.databases.sent).toEqual([{ database: 'shop', pid: app.pid, signal: 'terminate' }]);
    expect(result(w, run.id).slice(1)).toEqual([
      `  terminated 1: pid ${app.pid} (app/api-server)`,
      `  skipped 1: pid ${root.pid} (postgres/api-server): the database refused: must be a superuser to signal it`,
    ]);
  });

  it('unanswered, expires like any change: its buttons go and nothing is signalled', async () => {
    const w = memoryRunbooks({ approvalTtlMs: 10 * MINUTE });
    w.databases.add('shop', { forMs: 15 * MINUTE });
    const { run } = await w.request('kill-queries');
    w.clock.advance(10 * MINUTE + 1);
    await w.fire();
    expect((await w.run(run.id)).state).toBe('expired');
    expect(shown(w.card(run.id).notice)).toBe('expired');
    expect(await refusal(w.click(run.id, 'approve', IC))).toContain('expired');
    await w.fire();
    expect(w.databases.sent).toEqual([]);
    expect(w.runs.events(run.id)).toEqual(['requested', 'dry_run', 'expired']);
  });

  it('with nothing that matches, asks nothing and says so', async () => {
    const w = memoryRunbooks();
    const b = w.databases.add('shop', { forMs: 15 * MINUTE, user: 'postgres', superuser: true });
    const { run } = await w.request('kill-queries');
    expect(run.state).toBe('succeeded');
    expect(w.chat.cards(run.id)).toEqual([]);
    expect(result(w, run.id).slice(-3)).toEqual([
      'pg-terminate database/shop',
      '  no backend matches (state active, 5m or longer in it); nothing to end',
      `  left alone though they match: pid ${b.pid} (a superuser session)`,
    ]);
    expect(w.runs.events(run.id)).toEqual(['requested', 'dry_run', 'succeeded']);
  });

  it('refuses a preview of more backends than one run may end, and signals nothing', async () => {
    const w = memoryRunbooks();
    for (let n = 0; n < 26; n++) w.databases.add('shop', { forMs: 15 * MINUTE });
    const { run } = await w.request('kill-queries');
    expect(run.state).toBe('failed');
    expect(run.outcome).toContain(
      '26 backends of database shop match (state active, 5m or longer in it), more than the 25 one run may end (maxBackends). Nothing was run',
    );
    expect(w.chat.cards(run.id)).toEqual([]);
    expect(w.databases.sent).toEqual([]);
  });

  it('re-applies nothing when its worker died after the backends moved on; applies once when they had not', async () => {
    const died = async (moved: boolean) => {
      const w = memoryRunbooks({ leaseMs: 30_000 });
      const b = w.databases.add('shop', { forMs: 15 * MINUTE });
      const { run } = await w.request('kill-queries');
      await w.click(run.id, 'approve', IC);
      await w.outbox.claim(run.id, w.clock.now(), ['execute']);
      await w.runs.transition(run.id, ['approved'], 'running', {}, { token: run.preview!.token });
      if (moved) w.databases.change(b.pid, { state: 'idle', stateChange: w.databases.iso() });
      w.clock.advance(31_000);
      await w.runbooks.sweep();
      return { state: (await w.run(run.id)).state, sent: w.databases.sent.length };
    };
    expect(await died(true)).toEqual({ state: 'interrupted', sent: 0 });
    expect(await died(false)).toEqual({ state: 'succeeded', sent: 1 });
  });
});

describe('bad input, refused before anything runs', () => {
  it('an unknown database name or a non-numeric duration is refused with the allowed values', async () => {
    const w = memoryRunbooks({
      playbooks: {
        'kill-by-age': `id: kill-by-age
title: Kill by age
description: Terminates statements older than the age given.
severities: [P1]
params:
  database: { type: enum, values: [shop] }
  age: { type: string, pattern: "^[a-z0-9]{1,6}$" }
steps:
  - action: pg-terminate
    database: "{{database}}"
    olderThan: "{{age}}"
`,
      },
    });
    expect(await refusal(w.request('kill-by-age', { database: 'billing', age: '5m' }))).toContain(
      '`database=billing` is not allowed (one of shop)',
    );
    expect(await refusal(w.request('kill-by-age', { database: 'shop', age: 'five' }))).toContain(
      'olderThan "five" is not a duration; give one such as 30s, 5m or 1h. Nothing was run.',
    );
    expect(await refusal(w.request('kill-queries', { minutes: 'ten' }))).toContain(
      '`minutes=ten` is not allowed (a whole number from 1 to 60)',
    );
    expect(w.runs.runs.size).toBe(0);
    expect(w.databases.sent).toEqual([]);
  });

  it('a filter that a parameter leaves matching everything is refused unless the playbook bounds it', async () => {
    const w = memoryRunbooks({
      playbooks: {
        'kill-for-user': `id: kill-for-user
title: Kill a user's queries
description: Terminates the statements of the user given.
severities: [P1]
params:
  user: { type: string, pattern: "^[a-z_]{0,20}$", default: "" }
steps:
  - action: pg-terminate
    database: shop
    user: "{{user}}"
`,
      },
    });
    w.databases.add('shop', { forMs: MINUTE });
    expect(await refusal(w.request('kill-for-user', {}))).toContain(
      'pg-terminate on database shop would match every backend (no user, application, query pattern or minimum duration), and the playbook sets no maxBackends',
    );
    expect(w.runs.runs.size).toBe(0);
    expect((await w.request('kill-for-user', { user: 'app' })).run.state).toBe('awaiting_approval');
  });
});
