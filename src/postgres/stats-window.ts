import type { SeverityFigures, Spread } from '../incident/stats.js';
import { SortedValues } from './sorted-values.js';

/** One incident as the stats need it. Drills are never kept. */
export interface IncidentFigures {
  readonly id: string;
  readonly severity: string;
  /**
   * Milliseconds since the epoch, Postgres' microseconds truncated: `since` is
   * a whole millisecond, so `declaredAt >= since` answers as `declared_at >= $1` does.
   */
  readonly declaredAt: number;
  /** Seconds (migration 016); null when not reached. */
  readonly tta: number | null;
  readonly ttm: number | null;
  readonly ttr: number | null;
  readonly onTime: number;
  readonly missed: number;
}

/** Seconds to milliseconds, rounded to the microsecond Postgres stores. */
export const ms = (seconds: number | undefined) => (seconds === undefined ? null : Math.round(seconds * 1e6) / 1e3);

const DURATIONS = ['tta', 'ttm', 'ttr'] as const;

/** Whether two versions of an incident count the same. */
export function same(a: IncidentFigures, b: IncidentFigures): boolean {
  return (
    a.severity === b.severity &&
    a.declaredAt === b.declaredAt &&
    a.tta === b.tta &&
    a.ttm === b.ttm &&
    a.ttr === b.ttr &&
    a.onTime === b.onTime &&
    a.missed === b.missed
  );
}

/** The snapshot's order: declared, ties broken by ID. */
export function before(a: IncidentFigures, b: IncidentFigures): boolean {
  if (a.declaredAt !== b.declaredAt) return a.declaredAt < b.declaredAt;
  return a.id < b.id;
}

function spread(values: SortedValues): Spread {
  return { median: ms(values.percentile(0.5)), p90: ms(values.percentile(0.9)) };
}

/** One severity's incidents in a window: their count, their update counters summed, each duration in order. */
class Group {
  count = 0;
  onTime = 0;
  missed = 0;
  private readonly durations: Record<(typeof DURATIONS)[number], SortedValues>;

  constructor(members: readonly IncidentFigures[]) {
    const present = (key: (typeof DURATIONS)[number]) => {
      const values: number[] = [];
      for (const m of members) if (m[key] !== null) values.push(m[key]);
      return SortedValues.of(values);
    };
    this.durations = { tta: present('tta'), ttm: present('ttm'), ttr: present('ttr') };
    for (const m of members) this.tally(m, 1);
  }

  add(m: IncidentFigures): void {
    this.tally(m, 1);
    for (const key of DURATIONS) if (m[key] !== null) this.durations[key].add(m[key]);
  }

  remove(m: IncidentFigures): void {
    this.tally(m, -1);
    for (const key of DURATIONS) if (m[key] !== null) this.durations[key].remove(m[key]);
  }

  figures(severity: string): SeverityFigures {
    return {
      severity,
      count: this.count,
      mtta: spread(this.durations.tta),
      mttm: spread(this.durations.ttm),
      mttr: spread(this.durations.ttr),
      updatesOnTime: this.onTime,
      updatesMissed: this.missed,
    };
  }

  private tally(m: IncidentFigures, sign: 1 | -1): void {
    this.count += sign;
    this.onTime += sign * m.onTime;
    this.missed += sign * m.missed;
  }
}

/** The figures of the incidents declared since `since`, kept as incidents change and as the window moves. */
export class StatsWindow {
  usedAt = 0;
  private readonly groups = new Map<string, Group>();
  private figured: SeverityFigures[] | undefined;

  /** `members`: the snapshot's incidents declared since `since`. */
  constructor(
    public since: number,
    members: readonly IncidentFigures[],
  ) {
    const bySeverity = new Map<string, IncidentFigures[]>();
    for (const m of members) {
      const list = bySeverity.get(m.severity);
      if (list) list.push(m);
      else bySeverity.set(m.severity, [m]);
    }
    for (const [severity, list] of bySeverity) this.groups.set(severity, new Group(list));
  }

  add(m: IncidentFigures): void {
    if (m.declaredAt < this.since) return;
    const group = this.groups.get(m.severity) ?? new Group([]);
    this.groups.set(m.severity, group);
    group.add(m);
    this.figured = undefined;
  }

  remove(m: IncidentFigures): void {
    const group = this.groups.get(m.severity);
    if (m.declaredAt < this.since || !group) return;
    group.remove(m);
    if (group.count === 0) this.groups.delete(m.severity);
    this.figured = undefined;
  }

  /** Moves the window's start; `crossing` are the incidents declared between the old start and the new. */
  moveTo(since: number, crossing: readonly IncidentFigures[]): void {
    if (since >= this.since) {
      for (const m of crossing) this.remove(m);
      this.since = since;
      return;
    }
    this.since = since;
    for (const m of crossing) this.add(m);
  }

  /** Computed once per change: a repeated ask while nothing changed is served as it was. */
  figures(): SeverityFigures[] {
    this.figured ??= [...this.groups].map(([severity, group]) => group.figures(severity));
    return this.figured;
  }
}
