import { formatDuration } from '../incident/duration.js';
import { commander } from '../incident/incident.js';
import type { Notice } from '../incident/notice.js';
import { actions, button, cap, esc, fields, header, message, type SlackMessage, section } from './block-kit.js';
import { time } from './dates.js';
import { listed, named, PING_REASONS, pingAll } from './mentions.js';
import { incidentLine, joinButton, type RenderContext, roomName } from './notice-blocks.js';

type Escalation = Extract<Notice, { kind: 'escalation' }>;

/**
 * An escalation step. In the war room it pings the step's people (they must act now);
 * as a direct message it speaks to its reader ("You're paged"), says how long the
 * incident has gone unacknowledged and who the IC is, and offers Acknowledge and Join
 * war room. Re-rendered once acknowledged or resolved, it says so and asks nothing more.
 */
export function renderEscalation(notice: Escalation, ctx: RenderContext): SlackMessage {
  const i = notice.incident;
  const waited = formatDuration(notice.afterMs);
  const ic = named(commander(i), ctx.names);
  if (!ctx.direct) {
    const whom = listed(notice.notify.map((r) => named(r, ctx.names)));
    return message(
      `:rotating_light: Escalation: ${incidentLine(i)} has gone ${waited} without acknowledgement; paging ${whom}. Incident commander: ${ic}. Acknowledge with the button on the summary card or /incident ack ${i.id}.`,
      [
        section(
          `:rotating_light: *Escalation:* ${i.id} (${i.severity}: ${esc(i.title)}) has gone ${waited} without acknowledgement. Paging ${pingAll(notice.notify, PING_REASONS.escalation)}. Incident commander: ${ic}. Acknowledge with the button on the summary card or \`/incident ack ${i.id}\`.`,
        ),
      ],
    );
  }
  const join = joinButton(i);
  const about = fields([
    ['Incident commander', ic],
    ['Status', cap(i.status)],
    ['Severity', i.severity],
    ['War room', roomName(i) || '_none_'],
  ]);
  if (i.ackedAt || i.status === 'resolved') {
    const done =
      i.status === 'resolved'
        ? `${i.id} was resolved; nothing is asked of you.`
        : `${named(i.ackedBy ?? '', ctx.names)} acknowledged ${i.id} at ${time(i.ackedAt!)}, ${formatDuration(i.ackedAt!.getTime() - i.declaredAt.getTime())} after it was declared; nothing more is asked of you.`;
    return message(`You were paged for ${incidentLine(i)}: ${done}`, [
      header(`:white_check_mark: ${i.status === 'resolved' ? 'Resolved' : 'Acknowledged'} · ${i.id}`),
      section(`*${esc(i.title)}*\n${done}`),
      about,
      ...(join && i.status !== 'resolved' ? [actions('page_actions', [join])] : []),
    ]);
  }
  const ask = `It has gone ${waited} without acknowledgement (escalation step ${notice.step + 1}). Incident commander: ${ic}.`;
  return message(
    `You're paged: ${incidentLine(i)}. ${ask} Acknowledge it, or join the war room. (Escalation: ${i.id})`,
    [
      header(`:rotating_light: You're paged · ${i.id} · ${i.severity}`),
      section(`*${esc(i.title)}*\n${ask}`),
      about,
      actions('page_actions', [
        button('ack_incident', 'Acknowledge', i.id, 'primary', `Acknowledge ${i.id} and stop the escalation`),
        ...(join ? [join] : []),
      ]),
    ],
  );
}
