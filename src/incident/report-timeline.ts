import { listItem, utc } from './markdown.js';
import { withRefs } from './refs.js';
import type { TimelineRecord } from './timeline.js';
/** Past this many entries the draft groups the timeline by hour; the whole of it goes in a file of its own. */
export const GROUP_THRESHOLD = 200;
/** Entries the grouped draft shows per hour; the rest are counted and left to the full timeline. */
export const PER_HOUR = 12;

/** How a report names people and turns chat text plain. */
export interface Naming {
  readonly names: ReadonlyMap<string, string>;
  name(id: string | null | undefined): string;
  plain(text: string): string;
}

/** Which entries an hour of a long timeline shows first: what people did beats what was said. */
const RANK: Readonly<Record<string, number>> = { note: 1, captured: 2, update_overdue: 3, effect_failed: 3 };
const rank = (e: TimelineRecord) => RANK[e.kind] ?? (e.kind.startsWith('effect_') ? 3 : 0);

/** One entry as a list item: time, who, what, and a link to the Slack message when it was captured. */
export function entryItem(e: TimelineRecord, n: Naming): string {
  const who = e.authorName ?? (e.actor === 'firebreak' ? 'Firebreak' : n.name(e.actor));
  const flags = [e.editedAt && 'edited', e.deletedAt && 'deleted in Slack'].filter(Boolean).join(', ');
  const link = e.permalink ? ` ([${e.threadTs ? 'thread' : 'message'}](${e.permalink}))` : '';
  return listItem(
    `**${utc(e.at).slice(11)}** ${who}: ${n.plain(withRefs(e, (r) => (r.kind === 'person' ? `@${n.name(r.id)}` : `#${r.id}`)))}${flags ? ` _(${flags})_` : ''}${link}`,
  );
}

/** Entries grouped by the UTC hour they fall in, oldest first. */
function byHour(entries: readonly TimelineRecord[]): Map<string, TimelineRecord[]> {
  const hours = new Map<string, TimelineRecord[]>();
  for (const e of entries) {
    const hour = `${e.at.toISOString().slice(0, 13)}:00`;
    const list = hours.get(hour);
    if (list) list.push(e);
    else hours.set(hour, [e]);
  }
  return hours;
}

const counted = (count: number, one: string, many: string) =>
  `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
const entries = (count: number) => counted(count, 'entry', 'entries');

/** What an hour's left-out entries were, e.g. `280 captured messages, 8 notes`. */
function leftOut(entries: readonly TimelineRecord[]): string {
  const kinds = new Map<string, number>();
  for (const e of entries) kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
  return [...kinds]
    .sort((a, b) => b[1] - a[1])
    .map(([kind, count]) =>
      kind === 'captured'
        ? counted(count, 'captured message', 'captured messages')
        : `${counted(count, kind.replace(/_/g, ' '), kind.replace(/_/g, ' '))} ${count === 1 ? 'entry' : 'entries'}`,
    )
    .join(', ');
}

/**
 * The draft's timeline: every entry while it is short; past `GROUP_THRESHOLD`
 * entries, one heading per hour with the entries that matter most and a count
 * of the rest, pointing at the full timeline file.
 */
export function timelineSection(all: readonly TimelineRecord[], n: Naming, fullFile: string): string[] {
  if (!all.length) return ['_Nothing was recorded._'];
  if (all.length <= GROUP_THRESHOLD) return all.map((e) => entryItem(e, n));
  const lines = [
    `_${entries(all.length)}: each hour below shows up to ${PER_HOUR} of them, actions first. Every entry is in \`${fullFile}\`, uploaded with this draft._`,
  ];
  for (const [hour, list] of byHour(all)) {
    const shown = [...list]
      .sort((a, b) => rank(a) - rank(b) || a.at.getTime() - b.at.getTime() || a.id - b.id)
      .slice(0, PER_HOUR);
    const kept = new Set(shown);
    const rest = list.filter((e) => !kept.has(e));
    lines.push('', `### ${hour.replace('T', ' ')} UTC · ${entries(list.length)}`, '');
    lines.push(...list.filter((e) => kept.has(e)).map((e) => entryItem(e, n)));
    if (rest.length) lines.push(`- _…and ${leftOut(rest)} (see \`${fullFile}\`)._`);
  }
  return lines;
}

/** The whole timeline, every entry, grouped by hour: the file beside a grouped draft. */
export function fullTimeline(title: string, all: readonly TimelineRecord[], n: Naming): string {
  const lines = [`# Full timeline: ${title}`, '', `_${entries(all.length)}, times in UTC._`];
  for (const [hour, list] of byHour(all)) {
    lines.push('', `## ${hour.replace('T', ' ')} UTC`, '', ...list.map((e) => entryItem(e, n)));
  }
  return `${lines.join('\n')}\n`;
}
