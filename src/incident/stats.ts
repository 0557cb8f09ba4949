import type { Policy } from './policy.js';
import type { IncidentHistory } from './ports.js';

/** Median and 90th percentile of a duration, in milliseconds; null without data. */
export interface Spread {
  readonly median: number | null;
  readonly p90: number | null;
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

function quantile(sorted: readonly number[], q: number): number | null {
  if (!sorted.length) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function spread(values: (number | null)[]): Spread {
  const sorted = values.filter((v): v is number => v !== null && v >= 0).sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9) };
}

const between = (from: Date | null, to: Date | null) => (from && to ? to.getTime() - from.getTime() : null);

/** Per-severity MTTA, MTTM, MTTR and update punctuality, in policy order. Drills are already left out. */
export function computeStats(history: readonly IncidentHistory[], policy: Policy): SeverityStats[] {
  return policy.severities.map(({ level }) => {
    const rows = history.filter((h) => h.severity === level);
    const slots = rows.reduce((n, h) => n + h.updatesOnTime + h.updatesMissed, 0);
    return {
      severity: level,
      count: rows.length,
      mtta: spread(rows.map((h) => between(h.declaredAt, h.ackedAt))),
      mttm: spread(rows.map((h) => between(h.impactStartedAt ?? h.declaredAt, h.mitigatedAt))),
      mttr: spread(rows.map((h) => between(h.impactStartedAt ?? h.declaredAt, h.resolvedAt))),
      updatesOnTime: slots ? rows.reduce((n, h) => n + h.updatesOnTime, 0) / slots : null,
    };
  });
}
