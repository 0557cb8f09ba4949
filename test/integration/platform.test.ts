import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createLogger } from '../../src/log.js';
import { migrate } from '../../src/postgres/migrate.js';
import { createPool } from '../../src/postgres/pool.js';
import { createTestDatabase } from '../support/db.js';
import { type Harness, startHarness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

describe('health', () => {
  it('/healthz answers while the process lives; /readyz while Postgres and Redis answer', async () => {
    expect((await fetch(`${h.bot.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${h.bot.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', failing: [] });
  });
});

describe('logs of a real run', () => {
  it('hold no token or signing secret', async () => {
    await h.reply((await h.command('declare P1 Logging check')).responseUrl);
    expect(h.logs.lines.length).toBeGreaterThan(0);
    for (const secret of h.config.secrets) expect(h.logs.text).not.toContain(secret);
  });
});

describe('migrations', () => {
  it('are idempotent and two replicas starting together do not break them', async () => {
    const db = await createTestDatabase();
    const log = createLogger({ level: 'silent' });
    const pools = [createPool(db.url, log), createPool(db.url, log), createPool(db.url, log)];
    const results = await Promise.all(pools.map((p) => migrate(p)));
    const files = readdirSync(new URL('../../src/postgres/migrations/', import.meta.url))
      .filter((f) => f.endsWith('.sql'))
      .sort();
    expect(files.length).toBeGreaterThan(1);
    expect(results.flat().sort()).toEqual(files);
    expect(await migrate(pools[0]!)).toEqual([]);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    expect((await c.query('SELECT count(*)::int n FROM schema_migrations')).rows[0].n).toBe(files.length);
    await c.end();
    await Promise.all(pools.map((p) => p.end()));
    await db.drop();
  });
});
