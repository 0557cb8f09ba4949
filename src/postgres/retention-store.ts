import type pg from 'pg';
import type { PurgeKind, RetentionStore } from '../incident/ports.js';
import { guarded } from './pool.js';

/**
 * One bounded batch per statement: the oldest rows past the cutoff, found on
 * `idempotency_keys_created`, `effects_finished` and `runbook_actions_finished`, at most $2 of them, then
 * deleted by primary key (an array, so the planner never joins against the
 * whole table). Pending and running effects and run actions are never candidates, however old.
 */
export const PURGE_SQL: Record<PurgeKind, string> = {
  idempotency_keys: `DELETE FROM idempotency_keys WHERE key = ANY (ARRAY(
    SELECT key FROM idempotency_keys WHERE created_at < $1 ORDER BY created_at LIMIT $2))`,
  finished_effects: `DELETE FROM effects WHERE id = ANY (ARRAY(
    SELECT id FROM effects WHERE state IN ('done', 'failed') AND done_at < $1 ORDER BY done_at LIMIT $2))`,
  finished_run_actions: `DELETE FROM runbook_actions WHERE id = ANY (ARRAY(
    SELECT id FROM runbook_actions WHERE state IN ('done', 'failed') AND done_at < $1 ORDER BY done_at LIMIT $2))`,
};

/** The Postgres `RetentionStore`. */
export function createRetentionStore(pool: pg.Pool): RetentionStore {
  return {
    purge: (kind, before, limit) =>
      guarded(async () => (await pool.query(PURGE_SQL[kind], [before, limit])).rowCount ?? 0),
  };
}
