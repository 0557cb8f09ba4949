import type pg from 'pg';
import type { StatsStore } from '../incident/ports.js';
import type { SeverityFigures, Spread } from '../incident/stats.js';
import { guarded } from './pool.js';
/**
 * Per-severity figures of the incidents declared since $1, drills left out,
 * read from the `incidents_declared` index alone (migration 016): each
 * incident's durations (seconds) and update punctuality are kept on its row as
 * it changes, so nothing here reads the timeline or the updates, nor computes
 * a duration. Quantiles are `percentile_cont` (linear between closest ranks)
 * over float seconds; a duration not reached is null, which they leave out.
 */
export const SEVERITY_STATS_SQL = `
  SELECT severity, count(*) AS n,
    percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY tta) AS mtta,
    percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY ttm) AS mttm,
    percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY ttr) AS mttr,
    sum(updates_on_time) AS on_time, sum(updates_missed) AS missed
  FROM incidents WHERE declared_at >= $1 AND NOT drill
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

/** When any incident last changed, from the end of `incidents_updated` (migration 012): the cache's validator. */
export const STATS_STAMP_SQL = 'SELECT max(updated_at)::text AS stamp FROM incidents';

/** The longest a cached figure is served, even when nothing changed (the window slides on meanwhile). */
export const STATS_CACHE_MAX_MS = 60_000;

interface Cached {
  readonly since: number;
  readonly stamp: string | null;
  readonly at: number;
  readonly figures: SeverityFigures[];
}

async function compute(pool: pg.Pool, since: Date): Promise<SeverityFigures[]> {
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
}

/**
 * The Postgres `StatsStore`. Figures are cached per window for at most
 * `cacheMs` (≤ 60 s) and only while no incident changed since they were
 * computed: each ask first reads the newest `updated_at`, one index entry,
 * so a change (a declare, an ack, a missed update counted by trigger) shows
 * on the next ask. The window may slide by up to `cacheMs` meanwhile.
 */
export function createStatsStore(pool: pg.Pool, options: { cacheMs?: number; now?: () => number } = {}): StatsStore {
  const ttl = Math.min(options.cacheMs ?? STATS_CACHE_MAX_MS, STATS_CACHE_MAX_MS);
  const now = options.now ?? Date.now;
  let cached: Cached[] = [];
  return {
    severityStats: (since) =>
      guarded(async () => {
        if (ttl <= 0) return compute(pool, since);
        const { rows } = await pool.query<{ stamp: string | null }>(STATS_STAMP_SQL);
        const stamp = rows[0]?.stamp ?? null;
        const at = now();
        cached = cached.filter((c) => c.stamp === stamp && at - c.at <= ttl);
        const hit = cached.find((c) => Math.abs(c.since - since.getTime()) <= ttl);
        if (hit) return hit.figures;
        const figures = await compute(pool, since);
        cached = [{ since: since.getTime(), stamp, at, figures }, ...cached].slice(0, 8);
        return figures;
      }),
  };
}
