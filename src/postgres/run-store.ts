import type pg from 'pg';
import { ACTIVE_STATES, type Run } from '../runbook/run.js';
import type { RunActionSpec } from '../runbook/run-actions.js';
import type { RunAudit, RunQueries, RunStore } from '../runbook/run-ports.js';
import { guarded, transaction } from './pool.js';

interface Row {
  id: string;
  incident_id: string;
  playbook: string;
  params: Run['params'];
  target: string;
  requested_by: string;
  requested_at: Date;
  commander: string;
  state: Run['state'];
  step: number;
  preview: Run['preview'];
  expires_at: Date | null;
  decided_by: string | null;
  decided_at: Date | null;
  channel: string | null;
  card_ts: string | null;
  progress_ts: string | null;
  outcome: string | null;
}

const toRun = (r: Row): Run => ({
  id: r.id,
  incidentId: r.incident_id,
  playbook: r.playbook,
  params: r.params,
  target: r.target,
  requestedBy: r.requested_by,
  requestedAt: r.requested_at,
  commander: r.commander,
  state: r.state,
  step: r.step,
  preview: r.preview,
  expiresAt: r.expires_at,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
  channel: r.channel,
  cardTs: r.card_ts,
  progressTs: r.progress_ts,
  outcome: r.outcome,
});

type Queryable = Pick<pg.PoolClient, 'query'>;

/** Stores actions for a run; a second pending card edit adds nothing (one renders the latest state). */
export async function addRunActions(db: Queryable, runId: string, actions: readonly RunActionSpec[]): Promise<void> {
  for (const spec of actions)
    await db.query(
      `INSERT INTO runbook_actions (run_id, kind, spec) VALUES ($1, $2, $3)
       ON CONFLICT (run_id) WHERE kind = 'card' AND state = 'pending' DO NOTHING`,
      [runId, spec.kind, JSON.stringify(spec)],
    );
}

const UPDATE_RUN = `
  UPDATE runbook_runs SET state = $3,
    step = COALESCE($4, step),
    preview = COALESCE($5, preview),
    expires_at = COALESCE($6, expires_at),
    decided_by = COALESCE($7, decided_by),
    decided_at = COALESCE($8, decided_at),
    outcome = COALESCE($9, outcome),
    finished_at = COALESCE($10, finished_at),
    card_ts = CASE WHEN $11 THEN NULL ELSE card_ts END
  WHERE id = $1 AND state = ANY($2)
    AND ($12::text IS NULL OR preview->>'token' = $12)
    AND ($13::timestamptz IS NULL OR expires_at IS NULL OR expires_at > $13)
  RETURNING *`;

/** The Postgres `RunStore`: every state change is one conditional UPDATE, stored with the actions it calls for. */
export function createRunStore(pool: pg.Pool): RunStore & RunQueries & RunAudit {
  const get = async (db: Queryable, id: string) => {
    const { rows } = await db.query<Row>('SELECT * FROM runbook_runs WHERE id = $1', [id]);
    return rows[0] && toRun(rows[0]);
  };
  const byKey = async (key: string) => {
    const { rows } = await pool.query<Row>('SELECT * FROM runbook_runs WHERE request_key = $1', [key]);
    return rows[0] && toRun(rows[0]);
  };

  return {
    create: (run, first, key) =>
      guarded(async () => {
        const seen = key ? await byKey(key) : undefined;
        if (seen) return { existing: seen };
        try {
          const created = await transaction(pool, async (db) => {
            await db.query(
              `INSERT INTO runbook_runs (id, incident_id, playbook, params, target, requested_by, requested_at,
                 commander, state, step, channel, request_key, targets)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
              [
                run.id,
                run.incidentId,
                run.playbook,
                JSON.stringify(run.params),
                run.target,
                run.requestedBy,
                run.requestedAt,
                run.commander,
                run.state,
                run.step,
                run.channel,
                key ?? null,
                [...new Set([run.target, ...run.holds])],
              ],
            );
            // One row per target: a second active run on any of them fails here (23505), as on `target`.
            await db.query(
              `INSERT INTO runbook_holds (target, run_id) SELECT unnest(targets), id FROM runbook_runs
              WHERE id = $1`,
              [run.id],
            );
            await addRunActions(db, run.id, [first]);
            return (await get(db, run.id))!;
          });
          return { created };
        } catch (err) {
          if ((err as { code?: string }).code !== '23505') throw err;
          const again = key ? await byKey(key) : undefined;
          return again ? { existing: again } : { busy: true as const };
        }
      }),

    get: (id) => guarded(() => get(pool, id)),

    lastFinished: (target) =>
      guarded(async () => {
        const { rows } = await pool.query<{ at: Date | null }>(
          `SELECT max(finished_at) AS at FROM runbook_runs
           WHERE targets @> ARRAY[$1]::text[] AND state IN ('succeeded', 'failed') AND decided_by IS NOT NULL`,
          [target],
        );
        return rows[0]?.at ?? null;
      }),

    transition: (id, from, to, patch, options = {}) =>
      guarded(() =>
        transaction(pool, async (db) => {
          const { rows } = await db.query<Row>(UPDATE_RUN, [
            id,
            from,
            to,
            patch.step ?? null,
            patch.preview ? JSON.stringify(patch.preview) : null,
            patch.expiresAt ?? null,
            patch.decidedBy ?? null,
            patch.decidedAt ?? null,
            patch.outcome ?? null,
            patch.finished ?? null,
            patch.cardTs === null,
            options.token ?? null,
            options.unexpiredAt ?? null,
          ]);
          const row = rows[0];
          if (!row) return undefined;
          if (!ACTIVE_STATES.includes(to)) await db.query('DELETE FROM runbook_holds WHERE run_id = $1', [id]);
          await addRunActions(db, id, options.actions ?? []);
          if (options.completes !== undefined)
            await db.query(
              `UPDATE runbook_actions SET state = 'done', done_at = now(), lease_until = NULL WHERE id = $1`,
              [options.completes],
            );
          return toRun(row);
        }),
      ),

    setMessages: (id, patch) =>
      guarded(async () => {
        await pool.query(
          `UPDATE runbook_runs SET channel = COALESCE($2, channel), card_ts = COALESCE($3, card_ts),
             progress_ts = COALESCE($4, progress_ts) WHERE id = $1`,
          [id, patch.channel ?? null, patch.cardTs ?? null, patch.progressTs ?? null],
        );
      }),

    audit: (run, at, actor, event, detail = {}) =>
      guarded(async () => {
        await pool.query(
          'INSERT INTO runbook_audit (run_id, incident_id, at, actor, event, detail) VALUES ($1, $2, $3, $4, $5, $6)',
          [run.id, run.incidentId, at, actor, event, JSON.stringify(detail)],
        );
      }),

    awaiting: (incidentId) =>
      guarded(async () => {
        const { rows } = await pool.query<Row>(
          `SELECT * FROM runbook_runs WHERE state = 'awaiting_approval' AND ($1::text IS NULL OR incident_id = $1)
           ORDER BY requested_at`,
          [incidentId ?? null],
        );
        return rows.map(toRun);
      }),

    orphans: () =>
      guarded(async () => {
        const { rows } = await pool.query<Row>(
          `SELECT * FROM runbook_runs r WHERE state IN ('running', 'approved') AND NOT EXISTS (
             SELECT 1 FROM runbook_actions a WHERE a.run_id = r.id AND a.state IN ('pending', 'running'))`,
        );
        return rows.map(toRun);
      }),
  };
}
