import type { Policy } from './policy.js';

/** The longest window `/incident stats` takes: a year, leap years included. */
export const STATS_WINDOW_LIMIT_MS = 366 * 86_400_000;

/** Median and 90th percentile of a duration, in milliseconds; null without data. */
export interface Spread {
  readonly median: number | null;
  readonly p90: number | null;
}

/** Lifecycle figures of one severity over a window, computed where the data is. */
export interface SeverityFigures {
  readonly severity: string;
  readonly count: number;
  readonly mtta: Spread;
  readonly mttm: Spread;
  readonly mttr: Spread;
  readonly updatesOnTime: number;
  readonly updatesMissed: number;
}

/** Metrics of one severity level over a window. */
export interface SeverityStats {
  readonly severity: string;
  readonly count: number;
  /** Declared (detected) → acknowledged. */
  readonly mtta: Spread;
  /** Impact started (or declared) → first `monitoring`. */
  readonly mttm: Spread;
  /** Impact started (or declared) → resolved. */
  readonly mttr: Spread;
  /** Updates posted before they fell due, over due slots (on time + missed); null without any. */
  readonly updatesOnTime: number | null;
}

const NONE: Spread = { median: null, p90: null };

/**
 * Per-severity MTTA, MTTM, MTTR and update punctuality in policy order, one
 * row per level (levels without incidents show zero). Figures of levels no
 * longer in the policy are left out.
 */
export function statsInPolicyOrder(figures: readonly SeverityFigures[], policy: Policy): SeverityStats[] {
  const byLevel = new Map(figures.map((f) => [f.severity, f]));
  return policy.severities.map(({ level }) => {
    const f = byLevel.get(level);
    if (!f) return { severity: level, count: 0, mtta: NONE, mttm: NONE, mttr: NONE, updatesOnTime: null };
    const slots = f.updatesOnTime + f.updatesMissed;
    return {
      severity: level,
      count: f.count,
      mtta: f.mtta,
      mttm: f.mttm,
      mttr: f.mttr,
      updatesOnTime: slots ? f.updatesOnTime / slots : null,
    };
  });
}
