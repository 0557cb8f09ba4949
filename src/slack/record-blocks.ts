import { formatDuration } from '../incident/duration.js';
import { clampText } from '../incident/incident.js';
import type { PostmortemOutcome } from '../incident/postmortem.js';
import type { FollowupsPage, TimelinePage } from '../incident/record-service.js';
import { withRefs } from '../incident/refs.js';
import type { SeverityStats } from '../incident/stats.js';
import { type Block, button, context, esc, header, type SlackMessage, section, simple } from './block-kit.js';
import { clockOf, utcDateTime } from './dates.js';
import { refLink } from './mentions.js';
import { encode, PAGE_ACTIONS } from './page-values.js';

/** Entries that quote PagerDuty or Alertmanager (names, labels, annotations): data from outside. */
const OUTSIDE_KINDS: ReadonlySet<string> = new Set([
  'oncall',
  'pagerduty_resolved',
  'page_requested',
  'paged',
  'page_skipped',
]);

/** One page of the timeline: the viewer's local time first, UTC beside it. */
export function renderTimeline(p: TimelinePage): SlackMessage {
  const sign = p.tzOffsetS >= 0 ? '+' : '-';
  const tz = `UTC${sign}${clockOf(Math.abs(p.tzOffsetS) * 1000)}`;
  const lines = p.entries.map((e) => {
    const local = clockOf(e.at.getTime() + p.tzOffsetS * 1000);
    const who = e.authorName ?? (e.actor === 'firebreak' ? 'Firebreak' : `<@${e.actor}>`);
    const flags = [e.editedAt && '_edited_', e.deletedAt && '_deleted_'].filter(Boolean).join(' ');
    const link = e.permalink ? ` <${e.permalink}|${e.threadTs ? 'thread' : 'link'}>` : '';
    // Captured messages and runbook entries (which quote the cluster) are data; the bot's own entries carry mentions.
    const plain =
      e.kind === 'captured' ||
      e.kind.startsWith('runbook_') ||
      e.kind.startsWith('alert') ||
      OUTSIDE_KINDS.has(e.kind) ||
      e.data?.via !== undefined;
    return `\`${local}\` (${clockOf(e.at.getTime())} UTC) *${esc(who)}*: ${clampText(plain ? esc(e.text).replace(/`/g, 'ˋ') : withRefs(e, refLink), 300)}${flags ? ` ${flags}` : ''}${link}`;
  });
  const blocks: Block[] = [header(`Timeline · ${p.incident.id}`)];
  if (!lines.length) blocks.push(section('_Nothing recorded yet._'));
  for (let n = 0; n < lines.length; n += 5) blocks.push(section(lines.slice(n, n + 5).join('\n')));
  blocks.push(
    context(
      `Page ${p.page} of ${p.pages} · times in your zone (${tz})${p.hasNext ? ` · \`/incident timeline ${p.incident.id} ${p.page + 1}\` for more` : ''}`,
    ),
  );
  const first = p.entries[0];
  const last = p.entries.at(-1);
  const buttons = [
    ...(p.hasPrevious && first
      ? [button(PAGE_ACTIONS.timelinePrevious, '‹ Previous', encode({ i: p.incident.id, p: p.page - 1, b: first.id }))]
      : []),
    ...(p.hasNext && last
      ? [button(PAGE_ACTIONS.timelineNext, 'Next ›', encode({ i: p.incident.id, p: p.page + 1, a: last.id }))]
      : []),
  ];
  if (buttons.length) blocks.push({ type: 'actions', block_id: 'timeline_pages', elements: buttons });
  return { text: `Timeline of ${p.incident.id}, page ${p.page} of ${p.pages}`, blocks };
}

/** A page of an incident's follow-ups, numbered across pages, with a button to the next page. */
export function renderFollowups(p: FollowupsPage): SlackMessage {
  const { incident, followups: items } = p;
  const lines = items.map(
    (f, n) =>
      `${p.before + n + 1}. ${esc(clampText(f.text, 200))} · ${f.owner ? `<@${f.owner}>` : '_no owner_'} · ${f.due ? `due ${f.due}` : '_no due date_'}`,
  );
  const blocks: Block[] = [header(`Follow-ups · ${incident.id}`)];
  if (!lines.length)
    blocks.push(section('_None yet. Add one with `/incident followup <action> [@owner] [YYYY-MM-DD]`._'));
  for (let n = 0; n < lines.length; n += 10) blocks.push(section(lines.slice(n, n + 10).join('\n')));
  const shown = p.before + items.length;
  const last = items.at(-1);
  if (last && shown < p.total) {
    blocks.push(context(`${p.before + 1}–${shown} of ${p.total}`));
    const value = encode({ i: incident.id, a: last.id, n: shown });
    blocks.push({
      type: 'actions',
      block_id: 'followup_pages',
      elements: [button(PAGE_ACTIONS.followupsNext, 'Next ›', value)],
    });
  }
  return { text: `${p.total} follow-ups for ${incident.id}`, blocks };
}

const dur = (ms: number | null) => (ms === null ? '–' : formatDuration(ms));

/** Per-severity metrics: count, MTTA, MTTM, MTTR (median / p90) and updates on time. */
export function renderStats(stats: readonly SeverityStats[], windowMs: number): SlackMessage {
  const rows = stats.map(
    (s) =>
      `*${s.severity}* · ${s.count} incident${s.count === 1 ? '' : 's'} · MTTA ${dur(s.mtta.median)} / ${dur(s.mtta.p90)} · MTTM ${dur(s.mttm.median)} / ${dur(s.mttm.p90)} · MTTR ${dur(s.mttr.median)} / ${dur(s.mttr.p90)} · updates on time ${s.updatesOnTime === null ? '–' : `${Math.round(s.updatesOnTime * 100)}%`}`,
  );
  return {
    text: `Incident metrics, last ${formatDuration(windowMs)}`,
    blocks: [
      header(`Incident metrics · last ${formatDuration(windowMs)}`),
      section(rows.join('\n')),
      context('Median / p90. Drills are left out. MTTM and MTTR count from the impact start when one was set.'),
    ],
  };
}

/** Where the report draft went, or that nothing changed since the version already uploaded. */
export function renderPostmortem(o: PostmortemOutcome): SlackMessage {
  const where = o.incident.channelId ? `<#${o.incident.channelId}>` : 'the incidents channel';
  const v = o.version;
  if (o.uploaded)
    return simple(
      `Version ${v.version} of the post-incident report draft for ${o.incident.id} is uploaded to ${where}, and kept with the incident.`,
    );
  return simple(
    `Nothing in the record of ${o.incident.id} has changed since version ${v.version} of the report draft (${utcDateTime(v.createdAt)}), already in ${where}. Add notes or follow-ups, then ask again for a new version.`,
  );
}
