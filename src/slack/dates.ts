/**
 * Dates in Slack, in one place. `date` and `time` are tokens Slack shows in
 * the reader's own time zone, with a UTC fallback; the plain `utc…` forms are
 * for text that cannot hold a token (or is also logged).
 */

/** `14:05 UTC`, or `14:05:09 UTC` with seconds. */
export function utcTime(at: Date, seconds = false): string {
  return `${at.toISOString().slice(11, seconds ? 19 : 16)} UTC`;
}

/** `2026-11-22 14:05 UTC`. */
export function utcDateTime(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `HH:MM` of a time of day given in milliseconds (a clock reading shifted by a time-zone offset). */
export function clockOf(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

/** A date and time Slack shows in the reader's time zone. */
export function date(at: Date): string {
  const s = Math.floor(at.getTime() / 1000);
  return `<!date^${s}^{date_short_pretty} {time}|${utcDateTime(at)}>`;
}

/** A time of day to the second (a retry a few seconds away), in the reader's time zone. */
export function timeSecs(at: Date): string {
  const s = Math.floor(at.getTime() / 1000);
  return `<!date^${s}^{time_secs}|${utcTime(at, true)}>`;
}

/** A time of day Slack shows in the reader's time zone. */
export function time(at: Date): string {
  const s = Math.floor(at.getTime() / 1000);
  return `<!date^${s}^{time}|${utcTime(at)}>`;
}
