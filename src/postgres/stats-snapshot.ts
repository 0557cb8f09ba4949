import type { SeverityFigures } from '../incident/stats.js';
import { firstNot } from './sorted-values.js';
import { before, type IncidentFigures, StatsWindow, same } from './stats-window.js';

/** A window may be moved over this many incidents before building it afresh (a sort) is cheaper. */
const SLIDE_LIMIT = 128;
/** Windows kept at once (30 days for /metrics, the few people ask for); the least recently asked goes. */
const MAX_WINDOWS = 8;

/**
 * The stats' copy of every incident declared since `horizon` (drills left
 * out), kept in declared order, and the windows asked of it. Figures follow a
 * change in the time of a binary search and a copy per window, not of a sort:
 * an incident put (changed, moved between severities, turned drill, gone
 * past the horizon) leaves and enters each window it is in; a window moving
 * with the clock drops and takes only the incidents it crossed.
 *
 * Size, measured: about 360 bytes an incident (its record, ID, map entry and
 * place in order), so a year of 20,000 incidents is about 7 MB; each window
 * asked adds 24 bytes an incident in it (0.6 MB for 365 days), eight at most.
 */
export class StatsSnapshot {
  private readonly byId = new Map<string, IncidentFigures>();
  private readonly inOrder: IncidentFigures[];
  private windows: StatsWindow[] = [];
  private asks = 0;

  constructor(
    readonly horizon: number,
    incidents: readonly IncidentFigures[],
  ) {
    this.inOrder = incidents.filter((i) => i.declaredAt >= horizon);
    this.inOrder.sort((a, b) => (before(a, b) ? -1 : 1));
    for (const i of this.inOrder) this.byId.set(i.id, i);
  }

  get size(): number {
    return this.inOrder.length;
  }

  /**
   * Puts an incident as Postgres has it now, or takes it out (`undefined`: a
   * drill, or gone). One declared before the horizon is taken out. Returns
   * whether the snapshot changed.
   */
  put(id: string, now: IncidentFigures | undefined): boolean {
    const next = now && now.declaredAt >= this.horizon ? now : undefined;
    const kept = this.byId.get(id);
    if (!kept && !next) return false;
    if (kept && next && same(kept, next)) return false;
    if (kept) {
      this.byId.delete(id);
      this.inOrder.splice(this.position(kept), 1);
      for (const w of this.windows) w.remove(kept);
    }
    if (next) {
      this.byId.set(id, next);
      this.inOrder.splice(this.position(next), 0, next);
      for (const w of this.windows) w.add(next);
    }
    return true;
  }

  /** Per severity with incidents declared since `since` (ms), what `SEVERITY_STATS_SQL` answers; at or past the horizon. */
  figures(since: number): SeverityFigures[] {
    const window = this.windowAt(since);
    window.usedAt = ++this.asks;
    return window.figures();
  }

  /** Where the windows asked of this snapshot start, for the next snapshot to build before it is asked. */
  starts(): number[] {
    return this.windows.map((w) => w.since);
  }

  private windowAt(since: number): StatsWindow {
    const at = this.firstFrom(since);
    let nearest: StatsWindow | undefined;
    let crossing = SLIDE_LIMIT + 1;
    for (const w of this.windows) {
      const n = Math.abs(this.firstFrom(w.since) - at);
      if (n < crossing) [nearest, crossing] = [w, n];
    }
    if (nearest) {
      const from = this.firstFrom(nearest.since);
      nearest.moveTo(since, this.inOrder.slice(Math.min(from, at), Math.max(from, at)));
      return nearest;
    }
    if (this.windows.length >= MAX_WINDOWS) {
      const oldest = this.windows.reduce((a, b) => (a.usedAt <= b.usedAt ? a : b));
      this.windows = this.windows.filter((w) => w !== oldest);
    }
    const made = new StatsWindow(since, this.inOrder.slice(at));
    this.windows.push(made);
    return made;
  }

  /** Index of the first incident declared at or after `time`. */
  private firstFrom(time: number): number {
    return firstNot(this.inOrder.length, (i) => this.inOrder[i]!.declaredAt < time);
  }

  /** Where `m` is, or would go, in declared order. */
  private position(m: IncidentFigures): number {
    return firstNot(this.inOrder.length, (i) => before(this.inOrder[i]!, m));
  }
}
