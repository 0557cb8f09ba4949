import pg from 'pg';
import { StorageUnavailableError } from '../errors.js';
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
  return /timeout exceeded when trying to connect|Connection terminated|Query read timeout|connect ECONNREFUSED|Client has encountered a connection error/i.test(
    err.message,
  );
}

/** Turns connection failures into `StorageUnavailableError`; everything else passes through. */
export async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isConnectionError(err)) throw new StorageUnavailableError({ cause: err });
    throw err;
  }
}
