import type pg from 'pg';
import type { StatsStore } from '../incident/ports.js';
import type { SeverityFigures, Spread } from '../incident/stats.js';
import { guarded } from './pool.js';
/**
 * Per-severity figures of the incidents declared since $1, drills left out,
 * read from the `incidents_declared` index alone (migration 007): update
 * punctuality is counted on each incident as it happens, so nothing here reads
 * the timeline or the updates. Quantiles are `percentile_cont` (linear between
 * closest ranks) over float seconds.
 */
export const SEVERITY_STATS_SQL = `
  SELECT severity, count(*) AS n,
    percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY date_part('epoch', acked_at - declared_at))
      FILTER (WHERE acked_at >= declared_at) AS mtta,
    percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY date_part('epoch', mitigated_at - began))
      FILTER (WHERE mitigated_at >= began) AS mttm,
    percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY date_part('epoch', resolved_at - began))
      FILTER (WHERE resolved_at >= began) AS mttr,
    sum(updates_on_time) AS on_time, sum(updates_missed) AS missed
  FROM (
    SELECT severity, declared_at, acked_at, mitigated_at, resolved_at, updates_on_time, updates_missed,
      COALESCE(impact_started_at, declared_at) AS began
    FROM incidents WHERE declared_at >= $1 AND NOT drill
  ) w
  GROUP BY severity`;

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
