import type pg from 'pg';
import type { OpenIncidents } from '../incident/ports.js';
import { type IncidentRow, SELECT_INCIDENT, toIncident } from './incident-rows.js';
import { guarded } from './pool.js';

/** Newest first, on the `incidents_open` index (declared_at DESC, id DESC); a later page starts below its anchor. */
export const OPEN_PAGE_SQL = {
  first: `${SELECT_INCIDENT} WHERE i.status <> 'resolved' ORDER BY i.declared_at DESC, i.id DESC LIMIT $1`,
  next: `${SELECT_INCIDENT}
    WHERE i.status <> 'resolved'
      AND (i.declared_at, i.id) < (SELECT a.declared_at, a.id FROM incidents a WHERE a.id = $2)
    ORDER BY i.declared_at DESC, i.id DESC LIMIT $1`,
} as const;

/** Read from `incidents_open` alone: it includes the severity. */
export const OPEN_BY_SEVERITY_SQL = `SELECT severity, count(*)::int AS n FROM incidents WHERE status <> 'resolved' GROUP BY severity`;

/**
 * Open incidents with something due by $1: the update clock (`incidents_update_due`),
 * or an escalation step of their level not yet fired while unacknowledged
 * (`incidents_unacked`; $6 is the shortest step, so older declarations alone are read).
 */
export const DUE_SQL = `
  SELECT id FROM (
    SELECT id FROM incidents WHERE status <> 'resolved' AND next_update_due <= $1
    UNION
    SELECT i.id FROM incidents i
    WHERE i.status <> 'resolved' AND i.acked_at IS NULL
      AND i.declared_at <= $1::timestamptz - $6::bigint * interval '1 millisecond'
      AND EXISTS (
        SELECT 1 FROM unnest($2::text[], $3::text[], $4::bigint[]) AS s(level, key, after_ms)
        WHERE s.level = i.severity AND i.declared_at + s.after_ms * interval '1 millisecond' <= $1
          AND NOT (s.key = ANY (i.escalated)))
  ) due
  WHERE id > $5 ORDER BY id LIMIT $7`;

/** The Postgres `OpenIncidents`: each read costs what it returns, whatever the history holds. */
export function createOpenIncidents(pool: pg.Pool): OpenIncidents {
  return {
    page: (afterId, limit) =>
      guarded(async () => {
        const { rows } = afterId
          ? await pool.query<IncidentRow>(OPEN_PAGE_SQL.next, [limit, afterId])
          : await pool.query<IncidentRow>(OPEN_PAGE_SQL.first, [limit]);
        return rows.map(toIncident);
      }),

    countBySeverity: () =>
      guarded(async () => {
        const { rows } = await pool.query<{ severity: string; n: number }>(OPEN_BY_SEVERITY_SQL);
        return new Map(rows.map((r) => [r.severity, r.n]));
      }),

    due: (cutoff, steps, afterId, limit) =>
      guarded(async () => {
        const shortest = steps.length ? Math.min(...steps.map((s) => s.afterMs)) : 0;
        const { rows } = await pool.query<{ id: string }>(DUE_SQL, [
          cutoff,
          steps.map((s) => s.level),
          steps.map((s) => s.key),
          steps.map((s) => s.afterMs),
          afterId,
          shortest,
          limit,
        ]);
        return rows.map((r) => r.id);
      }),
  };
}
