import type { Button } from '@slack/types';
import { formatDuration } from '../incident/duration.js';
import { commander, type Incident, ROLE_NAMES, ROLES } from '../incident/incident.js';
import type { Notice } from '../incident/notice.js';
import type { Policy } from '../incident/policy.js';
import {
  actions,
  type Block,
  button,
  cap,
  context,
  esc,
  fields,
  header,
  linkButton,
  message,
  type SlackMessage,
  section,
  simple,
} from './block-kit.js';
import { describe, emoji, severityWantsRoom } from './blocks.js';
import { date, time } from './dates.js';
import { renderEscalation } from './escalation-blocks.js';
import { channelLink, type Names, named } from './mentions.js';
import { renderPagingNotice } from './paging-blocks.js';
import { renderReminder } from './reminder-blocks.js';

/** What rendering needs besides the notice: the policy, people's names, and whether it is a DM to one reader. */
export interface RenderContext {
  readonly policy: Policy;
  readonly names: Names;
  /** The message is a direct message: it speaks to its reader. */
  readonly direct?: boolean;
}

/** `INC-…` (P1): title, as a notification names an incident. */
export function incidentLine(i: Pick<Incident, 'id' | 'severity' | 'drill' | 'title'>): string {
  return `${i.id} (${i.severity}${i.drill ? ' drill' : ''}): ${esc(i.title)}`;
}

/** The war room as a channel link (Slack shows its name; a link notifies no one); empty without one. */
export function roomName(i: Incident): string {
  return i.channelId ? channelLink(i.channelId) : '';
}

/** A button that opens the war room. */
export function joinButton(i: Incident): Button | undefined {
  if (!i.channelId) return undefined;
  const url = `https://slack.com/app_redirect?channel=${i.channelId}`;
  return linkButton(JOIN_ROOM_ACTION, 'Join war room', url, `Join the war room of ${i.id}`);
}

/** The Join war room button's action (a link; the click is only acknowledged). */
export const JOIN_ROOM_ACTION = 'join_war_room';

/**
 * Renders a domain notice as a Block Kit message: a full-sentence notification text
 * (what happened, the incident's ID, level and title, who must act) and blocks that
 * name people without pinging them, except where `mentions.ts` says they must act.
 */
export function renderNotice(notice: Notice, ctx: RenderContext): SlackMessage {
  const i = notice.incident;
  const who = (ref: string) => named(ref, ctx.names);
  switch (notice.kind) {
    case 'alert':
      return renderAnnouncement(i, ctx);
    case 'card':
      return renderCard(i, ctx);
    case 'update': {
      const u = notice.update;
      const due = i.nextUpdateDue && i.status !== 'resolved' ? ` Next update due ${time(i.nextUpdateDue)}.` : '';
      return message(
        `INCIDENT UPDATE ${i.id}: ${esc(u.progress)} (${i.severity}: ${esc(i.title)}; ${u.status}; posted by ${who(u.author)}.${due})`,
        [
          header(`${emoji(i, ctx.policy)} INCIDENT UPDATE · ${i.id}`),
          fields([
            ['Service', i.services.length ? i.services.map(esc).join(', ') : esc(i.title)],
            ['Status', cap(u.status)],
            ['Progress', esc(u.progress)],
            ['Next steps', u.nextSteps ? esc(u.nextSteps) : '_to be decided_'],
            ['ETA', u.eta ? esc(u.eta) : '_unknown_'],
            ['Next update due', i.nextUpdateDue ? time(i.nextUpdateDue) : '_none_'],
          ]),
          context(`Posted by ${who(u.author)}`),
        ],
      );
    }
    case 'resolved': {
      const duration = durationOf(i);
      return message(
        `INCIDENT RESOLVED ${i.id} after ${duration}: ${i.severity} ${esc(i.title)}.${i.resolution ? ` Resolution: ${esc(i.resolution)}.` : ''} Incident commander: ${who(commander(i))}.`,
        [
          header(`:white_check_mark: INCIDENT RESOLVED · ${i.id}`),
          section(`*${esc(i.title)}*`),
          fields([
            ['Severity', i.severity],
            ['Duration', duration],
            ['Started', date(i.declaredAt)],
            ['Resolved', i.resolvedAt ? date(i.resolvedAt) : '_unknown_'],
            ['Resolution', i.resolution ? esc(i.resolution) : '_not given_'],
            ['Commander', who(commander(i))],
          ]),
          context(`\`/incident postmortem ${i.id}\` builds the post-incident report draft from the timeline.`),
        ],
      );
    }
    case 'status':
      return simple(
        `${i.id} status is now *${notice.status}* (set by ${who(notice.by)})${notice.text ? `: ${esc(notice.text)}` : ''}`,
        `${incidentLine(i)} is now ${notice.status}, set by ${who(notice.by)}${notice.text ? `: ${esc(notice.text)}` : '.'}`,
      );
    case 'severity':
      return simple(
        `${i.id} severity changed ${notice.from} → *${notice.to}* by ${who(notice.by)}${i.channelId ? ` · war room ${channelLink(i.channelId)}` : ''}`,
        `${i.id} (${esc(i.title)}): severity changed ${notice.from} → ${notice.to} by ${who(notice.by)}.`,
      );
    case 'role':
      return simple(
        `${who(notice.userId)} is now *${ROLE_NAMES[notice.role]}* of ${i.id} (named by ${who(notice.by)})`,
        `${who(notice.userId)} is now ${ROLE_NAMES[notice.role]} of ${incidentLine(i)}, named by ${who(notice.by)}.`,
      );
    case 'reminder':
      return renderReminder(notice, ctx);
    case 'escalation':
      return renderEscalation(notice, ctx);
    case 'snoozed':
      return simple(
        `:zzz: ${who(notice.by)} snoozed the update clock of ${i.id} until ${time(new Date(notice.until))}.`,
        `${who(notice.by)} snoozed the update clock of ${incidentLine(i)} until ${time(new Date(notice.until))}.`,
      );
    case 'acked':
      return simple(
        `:white_check_mark: ${who(notice.by)} acknowledged ${i.id}; escalation stopped.`,
        `${who(notice.by)} acknowledged ${incidentLine(i)}; escalation stopped.`,
      );
    case 'page_failed':
    case 'page_sent':
    case 'oncall':
    case 'pagerduty_resolved':
      return renderPagingNotice(notice, ctx.names);
    case 'room_ready':
      return simple(
        `:door: The war room for *${i.id}* (${esc(i.title)}) is open: ${i.channelId ? channelLink(i.channelId) : '_not yet_'}. It took more than one try; the timeline says why.`,
        `The war room for ${incidentLine(i)} is open: ${roomName(i) || 'not yet'}. It took more than one try; the timeline says why.`,
      );
  }
}

/** How long the incident ran (or has run, when open) in words. */
function durationOf(i: Incident): string {
  return i.resolvedAt ? formatDuration(i.resolvedAt.getTime() - i.declaredAt.getTime()) : 'unknown';
}

/**
 * The #incidents announcement, kept live: the IC, the status, the latest update and the
 * next one due, with a Join war room button; resolved, its header says so with the duration.
 */
function renderAnnouncement(i: Incident, ctx: RenderContext): SlackMessage {
  const who = (ref: string) => named(ref, ctx.names);
  const resolved = i.status === 'resolved';
  const ic = who(commander(i));
  const room = i.channelId
    ? channelLink(i.channelId)
    : severityWantsRoom(i, ctx.policy)
      ? 'opening…'
      : 'none at this severity; updates are posted here';
  const text = resolved
    ? `INCIDENT RESOLVED ${i.id} after ${durationOf(i)}: ${i.severity} ${esc(i.title)}. Incident commander: ${ic}.`
    : `INCIDENT ALERT ${incidentLine(i)}. Declared by ${who(i.declaredBy)}; ${ic} is incident commander; status ${i.status}.${roomName(i) ? ` War room: ${roomName(i)}.` : ''}`;
  const join = resolved ? undefined : joinButton(i);
  return message(text, [
    header(
      resolved
        ? `:white_check_mark: RESOLVED after ${durationOf(i)} · ${i.id}${i.drill ? ' (DRILL)' : ''}`
        : `${emoji(i, ctx.policy)} INCIDENT ALERT${i.drill ? ' (DRILL)' : ''}`,
    ),
    section(`*${i.id}: ${esc(i.title)}*`),
    fields([
      ['Severity', `${i.severity}: ${describe(i, ctx.policy)}`],
      ['Status', cap(i.status)],
      ['Incident commander', ic],
      ['Started', date(i.declaredAt)],
      ['War room', room],
      resolved
        ? ['Resolved', i.resolvedAt ? date(i.resolvedAt) : '_unknown_']
        : ['Next update due', i.nextUpdateDue ? time(i.nextUpdateDue) : '_none_'],
    ]),
    ...(i.impact ? [section(`*Impact*\n${esc(i.impact)}`)] : []),
    ...(i.lastUpdate
      ? [
          section(
            `*Latest update* (${time(i.lastUpdate.at)}, ${who(i.lastUpdate.author)})\n${esc(i.lastUpdate.progress)}`,
          ),
        ]
      : []),
    ...(join ? [actions('announcement_actions', [join])] : []),
  ]);
}

/** The war room's pinned summary card, edited in place. */
function renderCard(i: Incident, ctx: RenderContext): SlackMessage {
  const who = (ref: string) => named(ref, ctx.names);
  return message(
    `${i.id} summary: ${i.severity}, ${i.status}. ${esc(i.title)}. Incident commander: ${who(commander(i))}.`,
    [
      header(`${emoji(i, ctx.policy)} ${i.id} · ${i.severity} · ${cap(i.status)}`),
      section(`*${esc(i.title)}*${i.impact ? `\n${esc(i.impact)}` : ''}`),
      fields([
        ...ROLES.map(
          (r) =>
            [ROLE_NAMES[r], r === 'ic' ? who(commander(i)) : i.roles[r] ? who(i.roles[r]) : '_unassigned_'] as [
              string,
              string,
            ],
        ),
        ['Services', i.services.length ? i.services.map(esc).join(', ') : '_not given_'],
        ['Declared', date(i.declaredAt)],
        i.resolvedAt
          ? ['Resolved', `${date(i.resolvedAt)} (after ${durationOf(i)})`]
          : ['Next update due', i.nextUpdateDue ? time(i.nextUpdateDue) : '_none_'],
        ['Acknowledged', i.ackedAt ? `${time(i.ackedAt)} by ${who(i.ackedBy ?? '')}` : '_not yet_'],
      ]),
      ...(i.lastUpdate
        ? [
            section(
              `*Last update* (${time(i.lastUpdate.at)}, ${who(i.lastUpdate.author)})\n${esc(i.lastUpdate.progress)}`,
            ),
          ]
        : []),
      ...(i.status !== 'resolved' ? [cardActions(i)] : []),
      context(`Declared by ${who(i.declaredBy)} · \`/incident help\` for commands`),
    ],
  );
}

function cardActions(i: Incident): Block {
  return actions('card_actions', [
    button('open_update_modal', 'Post update', i.id, 'primary', `Post a status update for ${i.id}`),
    ...(i.ackedAt ? [] : [button('ack_incident', 'Acknowledge', i.id, undefined, `Acknowledge ${i.id}`)]),
  ]);
}
