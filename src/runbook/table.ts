/** Plain-text tables and figures: what a diagnostic step shows, readable in a chat's code block and in a postmortem. */
import { formatDuration } from '../incident/duration.js';
import { untrusted } from './text.js';

/** Widest a column other than the last is drawn; longer cells are cut. */
const MAX_CELL = 40;

/**
 * Rows under a header as aligned columns, two spaces apart. Cells are made plain text on one line;
 * the last column (a query, usually) is left unpadded so a long cell does not widen the others.
 */
export function table(header: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string[] {
  const cells = [header, ...rows].map((r) =>
    r.map((c, i) => untrusted(String(c ?? '-'), i < r.length - 1 ? MAX_CELL : 300)),
  );
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]?.length ?? 0)));
  return cells.map((r) =>
    r
      .map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]!) : c))
      .join('  ')
      .trimEnd(),
  );
}

/** Milliseconds between two ISO times (`to` - `from`), or 0 when either is missing. */
export function between(from: string | null, to: string): number {
  if (!from) return 0;
  return Math.max(0, Date.parse(to) - Date.parse(from));
}

/** A duration as a responder reads it: `850ms`, `12s`, `4m 10s`, `2h 5m`. */
export function age(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : formatDuration(ms);
}

/** Execution time in milliseconds as `0.42 ms`, `152 ms`, `3.4 s`, or a duration past a minute. */
export function millis(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatDuration(ms);
}

/** Bytes as `512 B`, `1.5 KiB`, `230.0 MiB`, `1.2 GiB`. */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit ? `${value.toFixed(1)} ${units[unit]}` : `${value} B`;
}

/** `12 active · 3 idle`: counts by name, largest first, at most `max` of them and the rest summed. */
export function counts(values: readonly string[], max = 8): string {
  const by = new Map<string, number>();
  for (const v of values) by.set(v, (by.get(v) ?? 0) + 1);
  const sorted = [...by].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = sorted.slice(0, max).map(([k, n]) => `${untrusted(k, 60)} ${n}`);
  const rest = sorted.slice(max).reduce((n, [, c]) => n + c, 0);
  return [...shown, ...(rest ? [`others ${rest}`] : [])].join(' · ') || 'none';
}
