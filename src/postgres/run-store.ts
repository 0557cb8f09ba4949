import type pg from 'pg';
import type { Run, RunStore } from '../runbook/ports.js';
import { guarded } from './pool.js';

interface Row {
  id: string;
  incident_id: string;
  playbook: string;
  params: Run['params'];
  target: string;
  requested_by: string;
  requested_at: Date;
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

/** The Postgres `RunStore`: every state change is one conditional UPDATE, so it happens exactly once. */
export function createRunStore(pool: pg.Pool): RunStore {
  return {
    create: (run) =>
      guarded(async () => {
        try {
          await pool.query(
            `INSERT INTO runbook_runs (id, incident_id, playbook, params, target, requested_by, requested_at, state, step, channel) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
            [
              run.id,
              run.incidentId,
              run.playbook,
              JSON.stringify(run.params),
              run.target,
              run.requestedBy,
              run.requestedAt,
              run.state,
              run.step,
              run.channel,
            ],
          );
          return true;
        } catch (err) {
          if ((err as { code?: string }).code === '23505') return false;
          throw err;
        }
      }),

    get: (id) =>
      guarded(async () => {
        const { rows } = await pool.query<Row>('SELECT * FROM runbook_runs WHERE id = $1', [id]);
        return rows[0] && toRun(rows[0]);
      }),

    lastFinished: (target) =>
      guarded(async () => {
        const { rows } = await pool.query<{ at: Date | null }>(
          `SELECT max(finished_at) AS at FROM runbook_runs WHERE target = $1 AND state IN ('succeeded', 'failed') AND decided_by IS NOT NULL`,
          [target],
        );
        return rows[0]?.at ?? null;
      }),

    transition: (id, from, to, patch) =>
      guarded(async () => {
        const { rows } = await pool.query<Row>(
          `UPDATE runbook_runs SET state = $3,
           step = COALESCE($4, step), preview = COALESCE($5, preview), expires_at = COALESCE($6, expires_at),
           decided_by = COALESCE($7, decided_by), decided_at = COALESCE($8, decided_at), outcome = COALESCE($9, outcome),
           finished_at = COALESCE($10, finished_at)
         WHERE id = $1 AND state = ANY($2) AND ($11::timestamptz IS NULL OR expires_at IS NULL OR expires_at > $11)
         RETURNING *`,
          [
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
            patch.requireUnexpiredAt ?? null,
          ],
        );
        return rows[0] && toRun(rows[0]);
      }),

    setMessages: (id, patch) =>
      guarded(async () => {
        await pool.query(
          'UPDATE runbook_runs SET channel = COALESCE($2, channel), card_ts = COALESCE($3, card_ts), progress_ts = COALESCE($4, progress_ts) WHERE id = $1',
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

    interruptRunning: (at) =>
      guarded(async () => {
        const { rows } = await pool.query<Row>(
          `UPDATE runbook_runs SET state = 'interrupted', finished_at = $1 WHERE state = 'running' RETURNING *`,
          [at],
        );
        return rows.map(toRun);
      }),
  };
}
