import type pg from 'pg';
import type { RunAction, RunActionSpec } from '../runbook/run-actions.js';
import type { RunOutbox, RunOutboxQueries } from '../runbook/run-ports.js';
import { guarded } from './pool.js';

/**
 * The Postgres `RunOutbox`. A claimed action whose process died is claimable again after
 * `leaseMs`; long actions renew their lease while they work.
 */
export function createRunOutboxStore(pool: pg.Pool, options: { leaseMs: number }): RunOutbox & RunOutboxQueries {
  const lease = `$2::timestamptz + ${Number(options.leaseMs)} * interval '1 millisecond'`;
  /** Back to pending; a card edit superseded by a newer pending one is simply done. */
  const requeue = async (actionId: number, at: Date, error: string) => {
    try {
      await pool.query(
        `UPDATE runbook_actions SET state = 'pending', lease_until = NULL, next_at = $2, last_error = $3 WHERE id = $1`,
        [actionId, at, error],
      );
    } catch (err) {
      if ((err as { code?: string }).code !== '23505') throw err;
      await pool.query(
        `UPDATE runbook_actions SET state = 'done', done_at = now(), last_error = 'superseded' WHERE id = $1`,
        [actionId],
      );
    }
  };

  return {
    leaseMs: options.leaseMs,

    claim: (runId, now, kinds) =>
      guarded(async () => {
        const { rows } = await pool.query<{ id: string; run_id: string; spec: RunActionSpec; attempts: number }>(
          `UPDATE runbook_actions SET state = 'running', attempts = attempts + 1, lease_until = ${lease}
           WHERE id = (
             SELECT id FROM runbook_actions
             WHERE run_id = $1 AND kind = ANY($3)
               AND ((state = 'pending' AND next_at <= $2) OR (state = 'running' AND lease_until < $2))
             ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
           RETURNING id, run_id, spec, attempts`,
          [runId, now, kinds],
        );
        const row = rows[0];
        return (
          row && ({ id: Number(row.id), runId: row.run_id, spec: row.spec, attempts: row.attempts } satisfies RunAction)
        );
      }),

    extend: (actionId, now) =>
      guarded(async () => {
        await pool.query(`UPDATE runbook_actions SET lease_until = ${lease} WHERE id = $1 AND state = 'running'`, [
          actionId,
          now,
        ]);
      }),

    complete: (actionId) =>
      guarded(async () => {
        await pool.query(
          `UPDATE runbook_actions SET state = 'done', done_at = now(), lease_until = NULL WHERE id = $1 AND state = 'running'`,
          [actionId],
        );
      }),

    retry: (actionId, at, error) => guarded(() => requeue(actionId, at, error)),

    fail: (actionId, error) =>
      guarded(async () => {
        await pool.query(
          `UPDATE runbook_actions SET state = 'failed', last_error = $2, done_at = now(), lease_until = NULL WHERE id = $1`,
          [actionId, error],
        );
      }),

    due: (now) =>
      guarded(async () => {
        const { rows } = await pool.query<{ run_id: string }>(
          `SELECT DISTINCT run_id FROM runbook_actions
           WHERE (state = 'pending' AND next_at <= $1) OR (state = 'running' AND lease_until < $1)`,
          [now],
        );
        return rows.map((r) => r.run_id);
      }),

    scheduled: () =>
      guarded(async () => {
        const { rows } = await pool.query<{ run_id: string; at: Date }>(
          `SELECT run_id, min(CASE WHEN state = 'pending' THEN next_at ELSE lease_until END) AS at
           FROM runbook_actions WHERE state IN ('pending', 'running') GROUP BY run_id`,
        );
        return rows.map((r) => ({ runId: r.run_id, at: r.at }));
      }),

    status: (runId, kind) =>
      guarded(async () => {
        const { rows } = await pool.query<{ state: string; last_error: string | null; next_at: Date }>(
          `SELECT state, last_error, next_at FROM runbook_actions WHERE run_id = $1 AND kind = $2 ORDER BY id DESC LIMIT 1`,
          [runId, kind],
        );
        const row = rows[0];
        return row && { state: row.state, lastError: row.last_error, nextAt: row.next_at };
      }),
  };
}
