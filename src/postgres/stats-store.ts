import type pg from 'pg';
import type { SeverityFigures, Spread, StatsStore } from '../incident/ports.js';
import { guarded } from './pool.js';

/**
 * Per-severity figures of the incidents declared since $1, drills left out.
 * Each part reads an index made for it (migration 007): `incidents_declared`
 * for the window, `status_updates_on_time` and `timeline_overdue` for update
 * punctuality, so no part reads the rest of the timeline. Quantiles are
 * `percentile_cont` (linear between closest ranks) over float seconds.
 */
export const SEVERITY_STATS_SQL = `
  WITH w AS MATERIALIZED (
    SELECT id, severity, declared_at, acked_at, mitigated_at, resolved_at,
      COALESCE(impact_started_at, declared_at) AS began
    FROM incidents WHERE declared_at >= $1 AND NOT drill
  ), lifecycle AS (
    SELECT severity, count(*) AS n,
      percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY date_part('epoch', acked_at - declared_at))
        FILTER (WHERE acked_at >= declared_at) AS mtta,
      percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY date_part('epoch', mitigated_at - began))
        FILTER (WHERE mitigated_at >= began) AS mttm,
      percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY date_part('epoch', resolved_at - began))
        FILTER (WHERE resolved_at >= began) AS mttr
    FROM w GROUP BY severity
  ), on_time AS (
    SELECT w.severity, count(*) AS n FROM w JOIN status_updates u ON u.incident_id = w.id
    WHERE u.due_at IS NOT NULL AND u.at <= u.due_at GROUP BY w.severity
  ), missed AS (
    SELECT w.severity, count(*) AS n FROM w JOIN timeline t ON t.incident_id = w.id
    WHERE t.kind = 'update_overdue' GROUP BY w.severity
  )
  SELECT l.severity, l.n, l.mtta, l.mttm, l.mttr, COALESCE(o.n, 0) AS on_time, COALESCE(m.n, 0) AS missed
  FROM lifecycle l LEFT JOIN on_time o USING (severity) LEFT JOIN missed m USING (severity)`;

interface StatsRow {
  severity: string;
  n: string;
  mtta: number[] | null;
  mttm: number[] | null;
  mttr: number[] | null;
  on_time: string;
  missed: string;
}

/** Seconds from Postgres to milliseconds, rounded to the microsecond it stores. */
const ms = (seconds: number | undefined) => (seconds === undefined ? null : Math.round(seconds * 1e6) / 1e3);

function spread(seconds: number[] | null): Spread {
  return { median: ms(seconds?.[0]), p90: ms(seconds?.[1]) };
}

/** The Postgres `StatsStore`. */
export function createStatsStore(pool: pg.Pool): StatsStore {
  return {
    severityStats: (since) =>
      guarded(async () => {
        const { rows } = await pool.query<StatsRow>(SEVERITY_STATS_SQL, [since]);
        return rows.map(
          (r): SeverityFigures => ({
            severity: r.severity,
            count: Number(r.n),
            mtta: spread(r.mtta),
            mttm: spread(r.mttm),
            mttr: spread(r.mttr),
            updatesOnTime: Number(r.on_time),
            updatesMissed: Number(r.missed),
          }),
        );
      }),
  };
}
