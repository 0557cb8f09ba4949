import type pg from 'pg';
import { OutcomeUnknownError, StorageUnavailableError } from '../errors.js';
import { type CommitUnknown, isConnectionError } from './pool.js';

/**
 * Settles a `CommitUnknown` by reading back `key`, a row the transaction
 * wrote (`exists.sql` numbers its parameters from $2): waits (at most `withinMs`) for the transaction's server process to
 * end, since until then the commit may still land. `unknown` when Postgres
 * cannot say in time.
 */
export async function settleCommit(
  pool: pg.Pool,
  unknown: CommitUnknown,
  exists: { sql: string; params: unknown[] },
  withinMs = 2_000,
): Promise<'committed' | 'rolled_back' | 'unknown'> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    try {
      const { rows } = await pool.query<{ alive: boolean; found: boolean }>(
        `SELECT ($1::int IS NULL OR EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1)) AS alive,
           EXISTS (${exists.sql}) AS found`,
        [unknown.backendPid ?? null, ...exists.params],
      );
      const { alive, found } = rows[0]!;
      if (found) return 'committed';
      if (!alive) return 'rolled_back';
    } catch (err) {
      if (!isConnectionError(err)) throw err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return 'unknown';
}

/**
 * What to do after a command's COMMIT went unanswered: read its idempotency
 * key back. Committed: `read` the incident the key names and carry on as if
 * COMMIT had answered. Rolled back: `StorageUnavailableError` (nothing was
 * recorded, which is now certain). Otherwise, or without a key to read back,
 * `OutcomeUnknownError`, so the person is told neither "recorded" nor "failed".
 */
export async function settleCommand<T>(
  pool: pg.Pool,
  unknown: CommitUnknown,
  key: string | undefined,
  read: (incidentId: string) => Promise<T>,
): Promise<T> {
  if (!key) throw new OutcomeUnknownError({ cause: unknown });
  const outcome = await settleCommit(pool, unknown, {
    sql: 'SELECT 1 FROM idempotency_keys WHERE key = $2 AND incident_id IS NOT NULL',
    params: [key],
  });
  if (outcome === 'rolled_back') throw new StorageUnavailableError({ cause: unknown });
  if (outcome === 'unknown') throw new OutcomeUnknownError({ cause: unknown });
  try {
    const { rows } = await pool.query<{ incident_id: string }>(
      'SELECT incident_id FROM idempotency_keys WHERE key = $1',
      [key],
    );
    return await read(rows[0]!.incident_id);
  } catch (err) {
    // Recorded, but Postgres went away again before it could be shown: still not a "failed".
    if (isConnectionError(err)) throw new OutcomeUnknownError({ cause: err });
    throw err;
  }
}
