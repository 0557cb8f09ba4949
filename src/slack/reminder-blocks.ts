import { clampText, commander } from '../incident/incident.js';
import type { Notice } from '../incident/notice.js';
import { withRefs } from '../incident/refs.js';
import {
  actions,
  button,
  cap,
  context,
  esc,
  fields,
  header,
  message,
  type SlackMessage,
  section,
} from './block-kit.js';
import { emoji } from './blocks.js';
import { time } from './dates.js';
import { named, PING_REASONS, ping, readable, refText } from './mentions.js';
import type { RenderContext } from './notice-blocks.js';

/** The reminder's buttons: post an update, say nothing changed, or snooze the clock. */
export const REMINDER_ACTIONS = {
  update: 'open_update_modal',
  noChange: 'reminder_no_change',
  snooze: { reminder_snooze_15m: 15 * 60_000, reminder_snooze_30m: 30 * 60_000, reminder_snooze_1h: 60 * 60_000 },
} as const;

type Reminder = Extract<Notice, { kind: 'reminder' }>;

/**
 * The update reminder. While live it pings the IC (they must act now), sums up what
 * happened since the last update by name (pinging no one, escaped once), and offers to
 * post an update, post "no change" or snooze. Once answered, replaced, snoozed or
 * resolved it says so in one line, without buttons.
 */
export function renderReminder(notice: Reminder, ctx: RenderContext): SlackMessage {
  const i = notice.incident;
  const due = time(new Date(notice.due));
  const ic = named(commander(i), ctx.names);
  if (notice.closed) {
    const how = closedLine(notice, ctx);
    return message(`Update due for ${i.id} (${i.severity}: ${esc(i.title)}) at ${due}: ${how}`, [
      context(`:alarm_clock: ~Update due at ${due}~ · ${i.id}: ${how}`),
    ]);
  }
  const lines = notice.since.slice(-15).map(
    (e) =>
      `• ${time(e.at)} ${e.actor === 'firebreak' ? '' : `${named(e.actor, ctx.names)}: `}${readable(
        clampText(
          withRefs(e, (r) => refText(r, ctx.names)),
          180,
        ),
        ctx.names,
      )}`,
  );
  const snooze = Object.entries(REMINDER_ACTIONS.snooze).map(([action, ms]) =>
    button(
      action,
      `Snooze ${ms >= 3_600_000 ? '1 h' : `${ms / 60_000} min`}`,
      i.id,
      undefined,
      `Snooze the update clock of ${i.id}`,
    ),
  );
  const buttons = actions('reminder_actions', [
    button(REMINDER_ACTIONS.update, 'Post update', i.id, 'primary', `Post a status update for ${i.id}`),
    button(
      REMINDER_ACTIONS.noChange,
      'No change, still investigating',
      i.id,
      undefined,
      `Post that nothing changed on ${i.id}`,
    ),
    ...snooze,
  ]);
  return message(
    `Update due for ${i.id} (${i.severity}: ${esc(i.title)}): ${ic}, an update was due at ${due}. Post one, post "no change", or snooze.`,
    [
      header(`:alarm_clock: INCIDENT UPDATE DUE · ${i.id}`),
      section(
        `${ping(commander(i), PING_REASONS.updateDue)} an update on *${esc(i.title)}* was due at ${due}. Post one with the button or \`/incident update\`.`,
      ),
      fields([
        ['Severity', `${emoji(i, ctx.policy)} ${i.severity}`],
        ['Status', cap(i.status)],
        ['Last update', i.lastUpdate ? esc(clampText(i.lastUpdate.progress, 500)) : '_none yet_'],
      ]),
      section(`*Since the last update*\n${lines.length ? lines.join('\n') : '_nothing recorded_'}`),
      buttons,
    ],
  );
}

function closedLine(notice: Reminder, ctx: RenderContext): string {
  const i = notice.incident;
  switch (notice.closed) {
    case 'answered':
      return i.lastUpdate
        ? `answered by ${named(i.lastUpdate.author, ctx.names)}'s update at ${time(i.lastUpdate.at)}.`
        : 'answered.';
    case 'snoozed':
      return i.nextUpdateDue ? `snoozed; the next update is due ${time(i.nextUpdateDue)}.` : 'snoozed.';
    case 'resolved':
      return `${i.id} was resolved.`;
    default:
      return 'replaced by the newer reminder below.';
  }
}
