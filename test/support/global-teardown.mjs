import { Redis } from 'ioredis';
import pg from 'pg';

/** Drops whatever this run left behind: databases and roles `fbt_<run>_*` and Redis keys `fbt-<run>-*` (see db.ts). */
export default async function globalTeardown() {
  const run = process.env.FIREBREAK_TEST_RUN;
  if (!run) return;
  const admin = new pg.Client({
    connectionString: process.env.FIREBREAK_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  });
  await admin.connect();
  const { rows } = await admin.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [
    `fbt_${run.toLowerCase()}_%`,
  ]);
  for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  const roles = await admin.query('SELECT rolname FROM pg_roles WHERE rolname LIKE $1', [`fbt_${run.toLowerCase()}_%`]);
  for (const { rolname } of roles.rows) {
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [rolname]);
    await admin.query(`DROP ROLE IF EXISTS ${rolname}`).catch(() => undefined);
  }
  await admin.end();
  const redis = new Redis(process.env.FIREBREAK_TEST_REDIS ?? 'redis://127.0.0.1:6379');
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `fbt-${run}-*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}
