import { Redis } from 'ioredis';
import pg from 'pg';

/** Postgres or Redis, which the playground needs on this machine, does not answer; the message says what to start. */
export class ServicesUnavailable extends Error {
  readonly code = 'playground_services_unavailable';
}

const where = (url: string) => {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol.startsWith('redis') ? 6379 : 5432)}`;
};
const why = (err: unknown) => (err as { code?: string }).code ?? (err as Error).message;

async function postgresProblem(adminUrl: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return undefined;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '28P01' || code === '28000' || code === '3D000')
      return `Postgres at ${where(adminUrl)} refused the connection (${(err as Error).message}): set DATABASE_URL to a user that may create databases, such as postgres://postgres:PASSWORD@127.0.0.1:5432/postgres`;
    return `Postgres does not answer at ${where(adminUrl)} (${why(err)}): start it, for example \`docker run -d --name firebreak-postgres -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:17\` or \`sudo systemctl start postgresql\`, or set DATABASE_URL to one that runs`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisProblem(url: string): Promise<string | undefined> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (err) {
    return `Redis does not answer at ${where(url)} (${why(err)}): start it, for example \`docker run -d --name firebreak-redis -p 6379:6379 redis:7\` or \`sudo systemctl start redis-server\`, or set REDIS_URL to one that runs`;
  } finally {
    client.disconnect();
  }
}

/**
 * Checks that Postgres and Redis answer, then creates the playground's own
 * database if it is not there yet (it is kept between starts). Throws
 * `ServicesUnavailable` naming each service that does not answer and how to start it.
 */
export async function prepareServices(settings: {
  readonly adminUrl: string;
  readonly database: string;
  readonly redisUrl: string;
}): Promise<void> {
  const problems = (await Promise.all([postgresProblem(settings.adminUrl), redisProblem(settings.redisUrl)])).filter(
    (p): p is string => !!p,
  );
  if (problems.length)
    throw new ServicesUnavailable(
      `The playground keeps its incidents in Postgres and its timers in Redis, on this machine unless DATABASE_URL and REDIS_URL say otherwise:\n${problems.map((p) => `  - ${p}`).join('\n')}\nThen run \`npm start\` again.`,
    );
  const client = new pg.Client({ connectionString: settings.adminUrl, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [settings.database]);
    if (!found.rowCount) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(settings.database)}`);
  } catch (err) {
    // Two playgrounds starting at once: the other one created it.
    if ((err as { code?: string }).code !== '42P04') throw err;
  } finally {
    await client.end();
  }
}
