import { describe, expect, it } from '@jest/globals';
import { statementColumns, statementsSql } from '../../src/diag/pg-sql.js';
import { parseInfo, parseSlowlog } from '../../src/diag/redis.js';
import { filterOf, matchBackends, standing, type TerminateStep } from '../../src/runbook/backend-filter.js';
import { backendsBinding, changeSince } from '../../src/runbook/binding.js';
import type { BackendKey, BackendView, DatabaseSnapshot } from '../../src/runbook/database-views.js';
import { maskRedisArgs, maskSql, showQuery } from '../../src/runbook/query-text.js';
import { table } from '../../src/runbook/table.js';

describe('query text', () => {
  it('masks every kind of literal and keeps names, parameters and structure', () => {
    expect(maskSql("SELECT * FROM users WHERE email = 'dana@example.com' AND age > 42 AND id = $1")).toBe(
      'SELECT * FROM users WHERE email = ? AND age > ? AND id = $1',
    );
    expect(maskSql(`UPDATE "t2" SET note = E'it\\'s ok', v = 1.5e3, b = x'1F' WHERE c3 = 'O''Brien'`)).toBe(
      'UPDATE "t2" SET note = ?, v = ?, b = ? WHERE c3 = ?',
    );
    expect(maskSql('SELECT $fn$ secret body $fn$, $$x$$ FROM t1')).toBe('SELECT ?, ? FROM t1');
    expect(maskSql('SELECT 1 -- user=dana\nFROM t /* token abc */')).toBe('SELECT ? /*…*/\nFROM t /*…*/');
  });

  it('masks a string cut off by truncation to its end', () => {
    expect(maskSql("INSERT INTO notes VALUES ('a very long private no")).toBe('INSERT INTO notes VALUES (?');
  });

  it('shows a statement on one line, truncated; unmasked only when the playbook opts out', () => {
    const sql = "SELECT *\n  FROM orders\n WHERE card = '4111 1111 1111 1111'";
    expect(showQuery(sql, { maskLiterals: true, queryChars: 100 })).toBe('SELECT * FROM orders WHERE card = ?');
    expect(showQuery(sql, { maskLiterals: false, queryChars: 30 })).toBe('SELECT * FROM orders WHERE ca…');
  });

  it('shows a Redis command with its key identifiers and its values masked; credentials never', () => {
    expect(maskRedisArgs(['set', 'session:8f3a9c21:user', 'dana@example.com'], true)).toBe('SET session:?:user ?');
    expect(maskRedisArgs(['KEYS', 'user:*'], true)).toBe('KEYS user:*');
    expect(maskRedisArgs(['HGET', 'cart:1234', 'items'], false)).toBe('HGET cart:1234 items');
    expect(maskRedisArgs(['AUTH', 'admin', 'hunter22'], false)).toBe('AUTH ? ?');
  });
});

describe('tables', () => {
  it('align every column but the last, and make cells plain text', () => {
    expect(
      table(
        ['pid', 'user', 'query'],
        [
          [4711, 'app', 'SELECT 1'],
          [12, 'reporting\nuser', null],
        ],
      ),
    ).toEqual(['pid   user            query', '4711  app             SELECT 1', '12    reporting user  -']);
  });
});

const NOW = '2026-01-01T12:00:00.000000Z';
const ago = (ms: number) => new Date(Date.parse(NOW) - ms).toISOString().replace('Z', '123Z');
let pid = 100;
const backend = (b: Partial<BackendView> = {}): BackendView => ({
  pid: pid++,
  database: 'shop',
  user: 'app',
  application: 'api-server',
  client: '10.0.0.1',
  backendType: 'client backend',
  state: 'active',
  waitEvent: null,
  backendStart: ago(3_600_000),
  xactStart: ago(600_000),
  queryStart: ago(600_000),
  stateChange: ago(600_000),
  query: 'SELECT 1',
  superuser: false,
  self: false,
  blockedBy: [],
  waitingSince: null,
  ...b,
});
const snapshot = (backends: BackendView[]): DatabaseSnapshot => ({
  database: 'shop',
  now: NOW,
  serverVersion: 150000,
  connections: { total: backends.length, max: 100, reserved: 3 },
  backends,
});
const step = (s: Partial<TerminateStep>): TerminateStep =>
  ({
    action: 'pg-terminate',
    database: 'shop',
    state: 'active',
    mode: 'cancel-then-terminate',
    grace: '10s',
    include: [],
    maskLiterals: true,
    queryChars: 60,
    ...s,
  }) as TerminateStep;

describe('the terminate filter', () => {
  it('selects by state, age, user, application and query pattern', () => {
    const old = backend({ queryStart: ago(11 * 60_000) });
    const young = backend({ queryStart: ago(60_000) });
    const idleTx = backend({ state: 'idle in transaction', stateChange: ago(20 * 60_000) });
    const other = backend({ queryStart: ago(30 * 60_000), user: 'reports', query: 'SELECT * FROM big_report' });
    const s = snapshot([old, young, idleTx, other]);
    const pids = (f: Partial<TerminateStep>) => matchBackends(s, filterOf(step(f))).matched.map((b) => b.pid);
    expect(pids({ olderThan: '10m' })).toEqual([other.pid, old.pid]);
    expect(pids({ olderThan: '10m', state: ['active', 'idle in transaction'] })).toEqual([
      other.pid,
      idleTx.pid,
      old.pid,
    ]);
    expect(pids({ user: 'app' })).toEqual([old.pid, young.pid]);
    expect(pids({ queryPattern: 'big_report' })).toEqual([other.pid]);
    expect(pids({ application: 'metabase' })).toEqual([]);
  });

  it('never selects its own connections or other databases; names replication, workers and superusers only when included', () => {
    const own = [
      backend({ self: true }),
      backend({ application: 'firebreak' }),
      backend({ application: 'firebreak-diag' }),
    ];
    const foreign = backend({ database: 'billing' });
    const guarded = [
      backend({ backendType: 'walsender' }),
      backend({ backendType: 'background worker', user: null }),
      backend({ superuser: true, user: 'postgres' }),
    ];
    const s = snapshot([...own, foreign, ...guarded]);
    const all = filterOf(step({ olderThan: '1m', include: ['superusers', 'replication', 'background-workers'] }));
    const { matched, left } = matchBackends(s, all);
    expect(matched.map((b) => b.pid).sort()).toEqual(guarded.map((b) => b.pid).sort());
    expect(left.map((l) => l.why)).toEqual([
      "Firebreak's own connection",
      "Firebreak's own connection",
      "Firebreak's own connection",
      'another database',
    ]);
    const none = matchBackends(s, filterOf(step({ olderThan: '1m' })));
    expect(none.matched).toEqual([]);
    expect(none.left.map((l) => l.why).slice(4)).toEqual([
      'replication',
      'a background process (background worker)',
      'a superuser session',
    ]);
  });

  it('refuses a filter that matches everything unless bounded, and a duration that is not one', () => {
    expect(() => filterOf(step({}))).toThrow('would match every backend');
    expect(() => filterOf(step({ state: 'idle', olderThan: '0s' }))).toThrow('is not a duration');
    expect(filterOf(step({ maxBackends: 5 })).maxBackends).toBe(5);
    expect(filterOf(step({ olderThan: '5m' })).maxBackends).toBe(25);
  });
});

describe('what an approval of ending backends binds to', () => {
  const key: BackendKey = {
    pid: 4711,
    backendStart: '2026-01-01T11:00:00.123456Z',
    queryStart: '2026-01-01T11:50:00.654321Z',
    state: 'active',
    user: 'app',
    application: 'api-server',
  };

  it('is the same session in the same statement: pid, backend start, query start and state, to the microsecond', () => {
    expect(standing(key, key)).toBe('same');
    expect(standing(key, null)).toBe('ended');
    expect(standing(key, { ...key, state: 'idle' })).toBe('ended');
    expect(standing(key, { ...key, queryStart: '2026-01-01T11:50:00.654322Z' })).toBe('other-statement');
    expect(standing(key, { ...key, backendStart: '2026-01-01T11:59:00.000001Z' })).toBe('other-session');
  });

  it('is a digest of the list, whatever its order; what moved is said in words', () => {
    const other = { ...key, pid: 4712 };
    const binding = backendsBinding([other, key]);
    expect(binding.digest).toBe(backendsBinding([key, other]).digest);
    expect(binding.digest).not.toBe(backendsBinding([key]).digest);
    const observed = (found: typeof key | null) => ({
      kind: 'backends' as const,
      now: [
        { key, found },
        { key: other, found: other },
      ],
    });
    expect(changeSince('pg-terminate', binding, observed(key))).toBeUndefined();
    expect(changeSince('pg-terminate', binding, observed(null))).toBe('pid 4711 ended');
  });
});

describe('the SQL chooser for pg_stat_statements', () => {
  it('uses *_exec_time from version 1.8 (PostgreSQL 13) and *_time before', () => {
    expect(statementColumns('1.10')).toEqual({ mean: 'mean_exec_time', total: 'total_exec_time' });
    expect(statementColumns('1.8')).toEqual({ mean: 'mean_exec_time', total: 'total_exec_time' });
    expect(statementColumns('1.7')).toEqual({ mean: 'mean_time', total: 'total_time' });
    expect(statementColumns('1.4')).toEqual({ mean: 'mean_time', total: 'total_time' });
    expect(statementsSql('1.7', 'public', 'total')).toMatch(/total_time AS total_ms[\s\S]*ORDER BY total_time DESC/);
    expect(statementsSql('1.9', 'my"schema', 'mean')).toContain('FROM "my""schema".pg_stat_statements');
  });
});

describe("Redis's answers", () => {
  it('INFO becomes fields and SLOWLOG GET entries', () => {
    expect(
      parseInfo('# Clients\r\nconnected_clients:12\r\nmaxclients:10000\r\n\r\n# Memory\r\nused_memory:1024\r\n'),
    ).toEqual({
      connected_clients: '12',
      maxclients: '10000',
      used_memory: '1024',
    });
    expect(parseSlowlog([[7, 1767268800, 15200, ['KEYS', '*'], '10.0.0.3:51234', 'api']])).toEqual([
      { id: 7, at: 1767268800, micros: 15200, args: ['KEYS', '*'], client: '10.0.0.3:51234', clientName: 'api' },
    ]);
  });
});
