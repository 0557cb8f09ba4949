import pg from 'pg';
import { OutcomeUnknownError, StorageUnavailableError } from '../errors.js';
import type { Logger } from '../log.js';
import { STORE_APPLICATION } from '../runbook/backend-filter.js';

/**
 * A pool whose failures stay visible but never crash the process: an idle
 * client dropped by Postgres is logged, and the next query reconnects.
 */
export function createPool(connectionString: string, log: Logger, options: { max?: number } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: 2_000,
    query_timeout: 5_000,
    idleTimeoutMillis: 30_000,
    // Named, so a database diagnostic pointed at this database knows these connections for Firebreak's own.
    application_name: STORE_APPLICATION,
  });
  pool.on('error', (err) =>
    log.warn(
      { err: { message: err.message, code: (err as { code?: string }).code } },
      'postgres connection lost; will reconnect on next use',
    ),
  );
  return pool;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

/** True for errors that mean "Postgres is not reachable" rather than "the query is wrong". */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: string }).code;
  if (code && CONNECTION_CODES.has(code)) return true;
  return /timeout exceeded when trying to connect|Connection terminated|Query read timeout|connect ECONNREFUSED|Client has encountered a connection error|Client was closed|not queryable/i.test(
    err.message,
  );
}

/**
 * Turns connection failures into `StorageUnavailableError`, and a COMMIT left
 * unanswered (that `work` did not settle itself) into `OutcomeUnknownError`;
 * everything else passes through.
 */
export async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof CommitUnknown) throw new OutcomeUnknownError({ cause: err });
    if (isConnectionError(err)) throw new StorageUnavailableError({ cause: err });
    throw err;
  }
}

/**
 * Checks a client out for `work`. While it is out, an error the connection
 * emits (Postgres restarted, the network cut it) is caught here instead of
 * crashing the process, and such a client is destroyed rather than handed
 * back to the pool; so is one whose work failed on a connection error (cut,
 * or a query that timed out and may still be running). `work` may also ask
 * for that with `discard`.
 */
export async function withClient<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient, discard: (err: Error) => void) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => {
    broken ??= err;
  };
  client.on('error', onError);
  try {
    return await work(client, (err) => {
      broken ??= err;
    });
  } catch (err) {
    // A timed-out query leaves the connection busy or stuck, and a cut one is gone: neither goes back.
    if (isConnectionError(err)) broken ??= err as Error;
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken ?? false);
  }
}

/**
 * The connection broke while COMMIT was in flight, so the transaction may or
 * may not have been committed. `backendPid` is the server process that held
 * it: once that process is gone, the outcome is settled and can be read back.
 */
export class CommitUnknown extends Error {
  constructor(
    readonly backendPid: number | undefined,
    cause: unknown,
  ) {
    super('the connection broke during COMMIT; the outcome is unknown', { cause });
  }
}

/** Postgres says "try the transaction again": a deadlock victim or a serialization failure. */
const RETRYABLE = new Set(['40P01', '40001']);
const TX_ATTEMPTS = 5;

/**
 * Runs `work` in one transaction. A deadlock or serialization failure is
 * retried a bounded number of times after a short, jittered pause; a client
 * whose ROLLBACK fails (or whose connection broke) is destroyed, never
 * returned to the pool inside an aborted transaction.
 */
export async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withClient(pool, async (client, discard) => {
        await client.query('BEGIN');
        let result: T;
        try {
          result = await work(client);
        } catch (err) {
          if (isConnectionError(err)) discard(err as Error);
          else await client.query('ROLLBACK').catch((rollbackFailed: Error) => discard(rollbackFailed));
          throw err;
        }
        try {
          await client.query('COMMIT');
        } catch (err) {
          if (!isConnectionError(err)) throw err;
          // COMMIT went out and no answer came back: Postgres may have committed or not.
          discard(err as Error);
          throw new CommitUnknown((client as { processID?: number | null }).processID ?? undefined, err);
        }
        return result;
      });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (!code || !RETRYABLE.has(code) || attempt >= TX_ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
    }
  }
}
