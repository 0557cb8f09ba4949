import pg from 'pg';

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

/** A Redis key prefix of this run. */
export function redisPrefix(): string {
  return `fbt-${runId()}-${unique('p')}`;
}
