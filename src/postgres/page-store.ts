import type pg from 'pg';
import type { PageRecord, PageState, PageStore } from '../incident/paging-ports.js';
import { guarded } from './pool.js';

interface PageRow {
  id: string;
  incident_id: string;
  target: string;
  dedup_key: string;
  state: PageState;
  pd_incident_id: string | null;
}

const toPage = (r: PageRow): PageRecord => ({
  id: Number(r.id),
  incidentId: r.incident_id,
  target: r.target,
  dedupKey: r.dedup_key,
  state: r.state,
  pdIncidentId: r.pd_incident_id,
});

const COLUMNS = 'id, incident_id, target, dedup_key, state, pd_incident_id';

/** The Postgres `PageStore`: the `pages` table, and page effects in the outbox for the Retry button. */
export function createPageStore(pool: pg.Pool): PageStore {
  return {
    open: (incidentId, target, dedupKey) =>
      guarded(async () => {
        await pool.query(
          `INSERT INTO pages (incident_id, target, dedup_key) VALUES ($1, $2, $3)
           ON CONFLICT (incident_id, target) DO NOTHING`,
          [incidentId, target, dedupKey],
        );
        const { rows } = await pool.query<PageRow>(
          `SELECT ${COLUMNS} FROM pages WHERE incident_id = $1 AND target = $2`,
          [incidentId, target],
        );
        return toPage(rows[0]!);
      }),

    mark: (pageId, state, pdIncidentId) =>
      guarded(async () => {
        await pool.query(
          `UPDATE pages SET state = $2, pd_incident_id = COALESCE($3, pd_incident_id),
             sent_at = CASE WHEN $2 = 'triggered' THEN now() ELSE sent_at END
           WHERE id = $1`,
          [pageId, state, pdIncidentId ?? null],
        );
      }),

    list: (incidentId) =>
      guarded(async () => {
        const { rows } = await pool.query<PageRow>(`SELECT ${COLUMNS} FROM pages WHERE incident_id = $1 ORDER BY id`, [
          incidentId,
        ]);
        return rows.map(toPage);
      }),

    byDedupKey: (incidentId, dedupKey) =>
      guarded(async () => {
        const { rows } = await pool.query<PageRow>(
          `SELECT ${COLUMNS} FROM pages WHERE incident_id = $1 AND dedup_key = $2 ORDER BY id LIMIT 1`,
          [incidentId, dedupKey],
        );
        return rows[0] && toPage(rows[0]);
      }),

    retryNow: (incidentId, effectId, now) =>
      guarded(async () => {
        // A given-up page starts its attempts again; a waiting one just stops waiting.
        const { rows } = await pool.query<{ state: string }>(
          `UPDATE effects SET
             attempts = CASE WHEN state = 'failed' THEN 1 ELSE attempts END,
             state = CASE WHEN state IN ('pending', 'failed') THEN 'pending' ELSE state END,
             next_at = CASE WHEN state IN ('pending', 'failed') THEN $3 ELSE next_at END,
             done_at = CASE WHEN state = 'failed' THEN NULL ELSE done_at END
           WHERE id = $2 AND incident_id = $1 AND kind IN ('page', 'oncall')
           RETURNING (SELECT e.state FROM effects e WHERE e.id = $2) AS state`,
          [incidentId, effectId, now],
        );
        const before = rows[0]?.state;
        if (!before) return 'unknown';
        // A running page is being tried right now; only one that went out is done.
        return before === 'done' ? 'done' : 'retrying';
      }),
  };
}
