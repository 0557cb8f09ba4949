import type pg from 'pg';
import type { PurgeKind, RetentionStore } from '../incident/ports.js';
import { guarded } from './pool.js';

/**
 * One bounded batch per statement: the oldest rows past the cutoff, found on
 * an index of their age (migrations 007, 011 and 012), at most $2 of them, then
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
  // A page still pending, triggered or acknowledged may yet be sent or answered: kept, however old.
  pages: `DELETE FROM pages WHERE id = ANY (ARRAY(
    SELECT p.id FROM pages p JOIN incidents i ON i.id = p.incident_id
    WHERE p.state IN ('resolved', 'skipped') AND p.created_at < $1 AND i.resolved_at < $1
    ORDER BY p.created_at LIMIT $2))`,
  // A group whose card is not yet shown as it stands, or that still waits to be declared, is kept.
  alert_groups: `DELETE FROM alert_groups WHERE id = ANY (ARRAY(
    SELECT id FROM alert_groups
    WHERE last_seen < $1 AND version = shown_version AND (incident_id IS NOT NULL OR NOT declare_wanted)
    ORDER BY last_seen LIMIT $2))`,
  alert_digests: `DELETE FROM alert_digests WHERE id = ANY (ARRAY(
    SELECT d.id FROM alert_digests d
    WHERE d.last_added_at < $1 AND d.version = d.shown_version
      AND NOT EXISTS (SELECT 1 FROM alert_groups g WHERE g.digest_id = d.id)
    ORDER BY d.last_added_at LIMIT $2))`,
};

/** The Postgres `RetentionStore`. */
export function createRetentionStore(pool: pg.Pool): RetentionStore {
  return {
    purge: (kind, before, limit) =>
      guarded(async () => (await pool.query(PURGE_SQL[kind], [before, limit])).rowCount ?? 0),
  };
}
