import { formatDuration } from '../incident/duration.js';
import { clampText, commander, type Incident, ROLE_NAMES, ROLES } from '../incident/incident.js';
import type { Notice } from '../incident/notice.js';
import type { Policy } from '../incident/policy.js';
import type { OpenPage } from '../incident/requests.js';
import type { TimelineEntry } from '../incident/timeline.js';
import {
  type Block,
  button,
  cap,
  context,
  esc,
  fields,
  header,
  message,
  type SlackMessage,
  section,
  simple,
} from './block-kit.js';
import { date, time } from './dates.js';
import { encode, PAGE_ACTIONS } from './page-values.js';
import { renderPagingNotice, who } from './paging-blocks.js';

const SEVERITY_EMOJI = [':red_circle:', ':large_orange_circle:', ':large_yellow_circle:', ':white_circle:'];

/** Renders a domain notice as a Block Kit message. */
export function renderNotice(notice: Notice, policy: Policy): SlackMessage {
  const i = notice.incident;
  switch (notice.kind) {
    case 'alert':
      return message(`INCIDENT ALERT ${i.id} (${i.severity}): ${esc(i.title)}`, [
        header(`${emoji(i, policy)} INCIDENT ALERT${i.drill ? ' (DRILL)' : ''}`),
        section(`*${i.id}: ${esc(i.title)}*`),
        fields([
          ['Severity', `${i.severity}: ${describe(i, policy)}`],
          ['Status', cap(i.status)],
          ['Declared by', `<@${i.declaredBy}>`],
          ['Started', date(i.declaredAt)],
          [
            'War room',
            i.channelId
              ? `<#${i.channelId}>`
              : severityWantsRoom(i, policy)
                ? 'opening…'
                : 'none at this severity; updates are posted here',
          ],
          ...(i.resolvedAt ? [['Resolved', date(i.resolvedAt)] as [string, string]] : []),
        ]),
        ...(i.impact ? [section(`*Impact*\n${esc(i.impact)}`)] : []),
      ]);
    case 'card':
      return message(`${i.id} summary: ${i.severity}, ${i.status}`, [
        header(`${emoji(i, policy)} ${i.id} · ${i.severity} · ${cap(i.status)}`),
        section(`*${esc(i.title)}*${i.impact ? `\n${esc(i.impact)}` : ''}`),
        fields([
          ...ROLES.map(
            (r) =>
              [ROLE_NAMES[r], r === 'ic' ? `<@${commander(i)}>` : i.roles[r] ? `<@${i.roles[r]}>` : '_unassigned_'] as [
                string,
                string,
              ],
          ),
          ['Services', i.services.length ? i.services.map(esc).join(', ') : '_not given_'],
          ['Declared', date(i.declaredAt)],
          i.resolvedAt
            ? [
                'Resolved',
                `${date(i.resolvedAt)} (after ${formatDuration(i.resolvedAt.getTime() - i.declaredAt.getTime())})`,
              ]
            : ['Next update due', i.nextUpdateDue ? time(i.nextUpdateDue) : '_none_'],
          ['Acknowledged', i.ackedAt ? `${time(i.ackedAt)} by ${who(i.ackedBy ?? '')}` : '_not yet_'],
        ]),
        ...(i.lastUpdate
          ? [
              section(
                `*Last update* (${time(i.lastUpdate.at)}, <@${i.lastUpdate.author}>)\n${esc(i.lastUpdate.progress)}`,
              ),
            ]
          : []),
        ...(i.status !== 'resolved' ? [cardActions(i)] : []),
        context(`Declared by <@${i.declaredBy}> · \`/incident help\` for commands`),
      ]);
    case 'update': {
      const u = notice.update;
      return message(`INCIDENT UPDATE ${i.id}: ${esc(u.progress)}`, [
        header(`${emoji(i, policy)} INCIDENT UPDATE · ${i.id}`),
        fields([
          ['Service', i.services.length ? i.services.map(esc).join(', ') : esc(i.title)],
          ['Status', cap(u.status)],
          ['Progress', esc(u.progress)],
          ['Next steps', u.nextSteps ? esc(u.nextSteps) : '_to be decided_'],
          ['ETA', u.eta ? esc(u.eta) : '_unknown_'],
          ['Next update due', i.nextUpdateDue ? time(i.nextUpdateDue) : '_none_'],
        ]),
        context(`Posted by <@${u.author}>`),
      ]);
    }
    case 'resolved': {
      const duration = i.resolvedAt ? formatDuration(i.resolvedAt.getTime() - i.declaredAt.getTime()) : 'unknown';
      return message(`INCIDENT RESOLVED ${i.id} after ${duration}`, [
        header(`:white_check_mark: INCIDENT RESOLVED · ${i.id}`),
        section(`*${esc(i.title)}*`),
        fields([
          ['Severity', i.severity],
          ['Duration', duration],
          ['Started', date(i.declaredAt)],
          ['Resolved', i.resolvedAt ? date(i.resolvedAt) : '_unknown_'],
          ['Resolution', i.resolution ? esc(i.resolution) : '_not given_'],
          ['Commander', `<@${commander(i)}>`],
        ]),
        context(`\`/incident postmortem ${i.id}\` builds the post-incident report draft from the timeline.`),
      ]);
    }
    case 'status':
      return simple(
        `${i.id} status is now *${notice.status}* (set by <@${notice.by}>)${notice.text ? `: ${esc(notice.text)}` : ''}`,
      );
    case 'severity':
      return simple(
        `${i.id} severity changed ${notice.from} → *${notice.to}* by <@${notice.by}>${i.channelId ? ` · war room <#${i.channelId}>` : ''}`,
      );
    case 'role':
      return simple(`<@${notice.userId}> is now *${ROLE_NAMES[notice.role]}* of ${i.id} (named by <@${notice.by}>)`);
    case 'reminder':
      return renderReminder(i, notice.due, notice.since, policy);
    case 'escalation': {
      const who = notice.notify.map(mention).join(', ');
      return simple(
        `:rotating_light: *Escalation:* ${i.id} (${i.severity}: ${esc(i.title)}) has gone ${formatDuration(notice.afterMs)} without acknowledgement. Notifying ${who}.${i.channelId ? ` War room: <#${i.channelId}>.` : ''} Acknowledge with the button on the summary card or \`/incident ack ${i.id}\`.`,
      );
    }
    case 'snoozed':
      return simple(`:zzz: <@${notice.by}> snoozed the update clock of ${i.id} until ${time(new Date(notice.until))}.`);
    case 'acked':
      return simple(`:white_check_mark: ${who(notice.by)} acknowledged ${i.id}; escalation stopped.`);
    case 'page_failed':
    case 'page_sent':
    case 'oncall':
    case 'pagerduty_resolved':
      return renderPagingNotice(notice);
    case 'room_ready':
      return simple(
        `:door: The war room for *${i.id}* (${esc(i.title)}) is open: ${i.channelId ? `<#${i.channelId}>` : '_not yet_'}. It took more than one try; the timeline says why.`,
      );
  }
}

/** The update reminder: mentions the IC, sums up what happened since the last update, and offers the update form. */
function renderReminder(i: Incident, due: string, since: readonly TimelineEntry[], policy: Policy): SlackMessage {
  const lines = since
    .slice(-15)
    .map((e) => `• ${time(e.at)} ${e.actor === 'firebreak' ? '' : `<@${e.actor}> `}${esc(clampText(e.text, 180))}`);
  return message(`Update due for ${i.id}`, [
    header(`:alarm_clock: INCIDENT UPDATE DUE · ${i.id}`),
    section(
      `<@${commander(i)}> an update on *${esc(i.title)}* was due at ${time(new Date(due))}. Post one with the button or \`/incident update\`.`,
    ),
    fields([
      ['Severity', `${emoji(i, policy)} ${i.severity}`],
      ['Status', cap(i.status)],
      ['Last update', i.lastUpdate ? esc(clampText(i.lastUpdate.progress, 500)) : '_none yet_'],
    ]),
    section(`*Since the last update*\n${lines.length ? lines.join('\n') : '_nothing recorded_'}`),
    {
      type: 'actions',
      block_id: 'reminder_actions',
      elements: [button('open_update_modal', 'Post update', i.id, 'primary')],
    },
  ]);
}

function cardActions(i: Incident): Block {
  return {
    type: 'actions',
    block_id: 'card_actions',
    elements: [
      button('open_update_modal', 'Post update', i.id, 'primary'),
      ...(i.ackedAt ? [] : [button('ack_incident', 'Acknowledge', i.id)]),
    ],
  };
}

function mention(id: string): string {
  return id.startsWith('S') ? `<!subteam^${id}>` : `<@${id}>`;
}

/** The open incidents, one line each. */
/** A page of open incidents, newest first; `before` were shown on earlier pages. A button leads to the next. */
export function renderList(page: OpenPage, before: number, policy: Policy): SlackMessage {
  const { incidents, total } = page;
  if (!incidents.length && !before) return simple('No open incidents. :tada:');
  const lines = incidents.map(
    (i) =>
      `${emoji(i, policy)} *${i.id}* ${i.severity} · ${i.status} · ${esc(clampText(i.title, 80))}${i.channelId ? ` · <#${i.channelId}>` : ''} · IC <@${commander(i)}>`,
  );
  const blocks: Block[] = [header(`Open incidents (${total})`)];
  for (let n = 0; n < lines.length; n += 10) blocks.push(section(lines.slice(n, n + 10).join('\n')));
  const shown = before + incidents.length;
  const last = incidents.at(-1);
  if (last && shown < total) {
    blocks.push(context(`${before + 1}–${shown} of ${total}; ${total - shown} more`));
    const next = button(PAGE_ACTIONS.listNext, 'Next ›', encode({ a: last.id, n: shown }));
    blocks.push({ type: 'actions', block_id: 'list_pages', elements: [next] });
  }
  return message(`${total} open incidents`, blocks);
}

function emoji(i: Incident, policy: Policy): string {
  const rank = policy.severities.findIndex((s) => s.level === i.severity);
  return SEVERITY_EMOJI[Math.min(Math.max(rank, 0), SEVERITY_EMOJI.length - 1)]!;
}
function describe(i: Incident, policy: Policy): string {
  return policy.severities.find((s) => s.level === i.severity)?.description ?? '';
}
function severityWantsRoom(i: Incident, policy: Policy): boolean {
  return policy.severities.find((s) => s.level === i.severity)?.warRoom ?? false;
}
