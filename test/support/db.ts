import pg from 'pg';
import { createLogger } from '../../src/log.js';
import { migrate } from '../../src/postgres/migrate.js';
import { createPool } from '../../src/postgres/pool.js';

export const ADMIN_URL = process.env.FIREBREAK_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.FIREBREAK_TEST_REDIS ?? 'redis://127.0.0.1:6379';

/** This test run's ID: databases and Redis keys made by the run carry it, so runs never collide. */
export function runId(): string {
  return process.env.FIREBREAK_TEST_RUN ?? 'local';
}

function unique(label: string): string {
  return `${label}${Math.random().toString(36).slice(2, 8)}`;
}

/** A fresh, empty database of this run, dropped by `drop()` (and by global teardown if a test crashed). */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `fbt_${runId()}_${unique('d')}`.toLowerCase();
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * Fresh migrated databases for one test file, each behind a pool of `max` clients:
 * `fresh()` makes one; `dropAll()` (in afterAll) ends the pools and drops the databases.
 */
export function migratedDatabases(max = 2) {
  const made: { pool: pg.Pool; drop(): Promise<void> }[] = [];
  return {
    async fresh(): Promise<pg.Pool> {
      const db = await createTestDatabase();
      const pool = createPool(db.url, createLogger({ level: 'silent' }), { max });
      made.push({ pool, drop: db.drop });
      await migrate(pool);
      return pool;
    },
    async dropAll(): Promise<void> {
      for (const m of made) await m.pool.end();
      for (const m of made) await m.drop();
    },
  };
}

/** A login role of this run, with `grants` (roles such as pg_monitor) and nothing else. */
export interface TestRole {
  readonly name: string;
  readonly password: string;
  /** A URL that logs in as the role to `database` (the server trusts local logins; the password is for the logs). */
  url(database: string): string;
  /** Drops the role; its sessions must have ended. */
  drop(): Promise<void>;
}

/** Creates a role of this run, dropped by `drop()` (and by global teardown if a test crashed). */
export async function createTestRole(label: string, grants: readonly string[] = []): Promise<TestRole> {
  const name = `fbt_${runId()}_${unique(label)}`.toLowerCase();
  const password = `pw-${unique('secret')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE ROLE ${name} LOGIN PASSWORD '${password}' NOSUPERUSER NOCREATEDB NOCREATEROLE`);
  for (const g of grants) await admin.query(`GRANT ${g} TO ${name}`);
  await admin.end();
  return {
    name,
    password,
    url(database) {
      const url = new URL(ADMIN_URL);
      url.username = name;
      url.password = password;
      url.pathname = `/${database}`;
      return url.toString();
    },
    async drop() {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP ROLE IF EXISTS ${name}`);
      await c.end();
    },
  };
}

/** A Redis key prefix of this run. */
export function redisPrefix(): string {
  return `fbt-${runId()}-${unique('p')}`;
}
