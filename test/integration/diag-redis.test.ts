import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createRedisDiagnostics } from '../../src/diag/redis.js';
import { DiagnosticsFailure } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { ACTIONS, type Step } from '../../src/runbook/playbook-schema.js';
import { readRedis } from '../../src/runbook/redis-reads.js';
import { LogCapture } from '../support/harness.js';
import { OwnRedis } from '../support/processes.js';

/**
 * redis-info against a redis-server of the test's own (so its SLOWLOG and its users are ours),
 * logged in as a user that may run INFO, SLOWLOG GET and PING and nothing else, as the README says.
 */
const PASSWORD = 'diag-pass-5813';
let server: OwnRedis;
let admin: Redis;
const logs = new LogCapture();

const step = (fields: Record<string, unknown> = {}) =>
  ({ action: 'redis-info', ...ACTIONS['redis-info'].parse({ redis: 'sessions', ...fields }) }) as Extract<
    Step,
    { action: 'redis-info' }
  >;
const diagnostics = (url: string, timeoutMs = 2000) =>
  createRedisDiagnostics(new Map([['sessions', url]]), {
    timeoutMs,
    log: createLogger({ level: 'debug', secrets: [PASSWORD] }, logs),
  });

beforeAll(async () => {
  server = await new OwnRedis().start();
  admin = new Redis(server.url);
  await admin.call(
    'ACL',
    'SETUSER',
    'firebreak-diag',
    'on',
    `>${PASSWORD}`,
    'resetkeys',
    '-@all',
    '+info',
    '+slowlog|get',
    '+ping',
  );
  await admin.config('SET', 'slowlog-log-slower-than', '0');
  await admin.call('SLOWLOG', 'RESET');
  await admin.set('user:1234:email', 'dana@example.com');
  await admin.hset('cart:98f1c2', 'sku-1', '2');
});

afterAll(async () => {
  await admin.quit();
  await server.kill();
});

describe('redis-info on a real Redis', () => {
  it('shows clients, memory, evictions and the slowest recent commands, with their values masked', async () => {
    const lines = await readRedis(diagnostics(`redis://firebreak-diag:${PASSWORD}@127.0.0.1:${server.port}`), step());
    expect(lines[0]).toMatch(/^redis 7\.\d+\.\d+, master, up \d+/);
    expect(lines[1]).toMatch(/^clients: \d+ connected, 0 blocked, at most 10000; 0 connections rejected$/);
    expect(lines[2]).toMatch(
      /^memory: [\d.]+ (KiB|MiB) used \(no maxmemory set: nothing is evicted\); peak .*; policy noeviction$/,
    );
    expect(lines[3]).toMatch(/^evictions: 0 keys evicted, 0 expired; keyspace hits/);
    const slow = lines.slice(5).join('\n');
    expect(slow).toContain('SET user:?:email ?');
    expect(slow).toContain('HSET cart:? ? ?');
    expect(slow).not.toContain('dana@example.com');
    expect(slow).not.toContain('98f1c2');
  });

  it('changed nothing: the keys and the slow log are as they were, and the user may not write', async () => {
    expect(await admin.get('user:1234:email')).toBe('dana@example.com');
    expect(Number(await admin.call('SLOWLOG', 'LEN'))).toBeGreaterThan(0);
    const asDiag = new Redis(`redis://firebreak-diag:${PASSWORD}@127.0.0.1:${server.port}`, {
      maxRetriesPerRequest: 0,
    });
    try {
      await expect(asDiag.flushall()).rejects.toThrow(/NOPERM/);
    } finally {
      asDiag.disconnect();
    }
  });

  it('a wrong password and a Redis that is down: plain messages, no password in them or in the log', async () => {
    const wrong = await diagnostics(`redis://firebreak-diag:not-${PASSWORD}@127.0.0.1:${server.port}`)
      .info('sessions', 5)
      .catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(DiagnosticsFailure);
    expect((wrong as Error).message).toMatch(/^Redis sessions refused Firebreak \(WRONGPASS/);
    const started = Date.now();
    const down = await diagnostics(`redis://firebreak-diag:${PASSWORD}@127.0.0.1:9`, 1000)
      .info('sessions', 5)
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3000);
    expect((down as Error).message).toBe(
      'Redis sessions did not answer within 1s (ECONNREFUSED). Nothing was run there; check that it is up and reachable from Firebreak, and the host in DIAG_REDIS_SESSIONS_URL.',
    );
    expect(`${(wrong as Error).message} ${(down as Error).message} ${logs.text}`).not.toContain(PASSWORD);
  });
});
