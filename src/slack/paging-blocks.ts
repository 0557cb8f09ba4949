import { z } from 'zod';
import { INCIDENT_ID, type Incident } from '../incident/incident.js';
import type { OnCallRow } from '../incident/paging.js';
import type { PagingNotice } from '../incident/paging-ports.js';
import { type Block, button, context, header, type SlackMessage, section, simple } from './block-kit.js';
import { time } from './dates.js';
import { escapeExternal } from './external-text.js';
import { type Names, NO_NAMES, named } from './mentions.js';

export const RETRY_PAGE_ACTION = 'retry_page';

/** The Retry button's value: the incident and the outbox effect to try again. */
export const retryValue = z.strictObject({ i: z.string().regex(INCIDENT_ID), e: z.number().int().min(1) });

/** Renders the war-room messages about paging; people are named, not pinged (they were invited or paged already). */
export function renderPagingNotice(
  notice: PagingNotice & { incident: Incident },
  names: Names = NO_NAMES,
): SlackMessage {
  const i = notice.incident;
  switch (notice.kind) {
    case 'page_failed': {
      const next = notice.retryAt
        ? `I retry by myself at ${time(new Date(notice.retryAt))}, and the page goes out once, when PagerDuty answers.`
        : 'I gave up; press *Retry now* once PagerDuty is back, or page people by hand.';
      const text = `:warning: *${notice.what} failed* for ${i.id} (PagerDuty said \`${escapeExternal(notice.code, 80)}\`). ${next} The incident is recorded either way, and this is on its timeline.`;
      const blocks: Block[] = [
        section(text),
        {
          type: 'actions',
          block_id: 'page_retry',
          elements: [
            button(RETRY_PAGE_ACTION, 'Retry now', JSON.stringify({ i: i.id, e: notice.effectId }), 'primary'),
          ],
        },
      ];
      return { text: `${notice.what} failed for ${i.id}`, blocks };
    }
    case 'page_sent':
      return simple(`:white_check_mark: ${notice.what} for ${i.id}: sent after ${notice.attempts} attempts.`);
    case 'oncall': {
      const lines = [];
      if (notice.invited.length)
        lines.push(
          `:pager: On call in PagerDuty, invited here: ${notice.invited.map((u) => named(u, names)).join(', ')}.`,
        );
      if (notice.unmatched.length)
        lines.push(
          `:bust_in_silhouette: On call, but Slack has no one with their email, so invite them by hand: ${notice.unmatched
            .map(
              (u) =>
                `${escapeExternal(u.name, 80)}${u.email ? ` (${escapeExternal(u.email, 120)})` : ''}, level ${u.level}`,
            )
            .join('; ')}.`,
        );
      return simple(lines.join('\n'));
    }
    case 'pagerduty_resolved':
      return simple(
        `:information_source: PagerDuty incident ${escapeExternal(notice.pdIncident ?? '', 40)} was resolved in PagerDuty by ${escapeExternal(notice.by ?? 'someone', 80)}. ${i.id} stays open until someone resolves it here with \`/incident resolve\`.`,
      );
  }
}

/** `/incident oncall`: who is on call now, by escalation policy and level, and until when. */
export function renderOnCall(title: string, rows: readonly OnCallRow[]): SlackMessage {
  if (!rows.length) return simple(`${title}: PagerDuty lists no one on call.`);
  const blocks: Block[] = [header(title)];
  const policies = [...new Set(rows.map((r) => r.escalationPolicy))];
  for (const policy of policies.slice(0, 40)) {
    const lines = rows
      .filter((r) => r.escalationPolicy === policy)
      .slice(0, 25)
      .map((r) => {
        const name = escapeExternal(r.name, 80);
        const person = r.userId ? `<@${r.userId}> (${name})` : name;
        const until = r.until ? `until ${time(r.until)}` : 'permanently';
        const schedule = r.schedule ? ` · ${escapeExternal(r.schedule, 80)}` : '';
        return `• Level ${r.level}: ${person}, ${until}${schedule}`;
      });
    blocks.push(section(`*${escapeExternal(policy, 120)}*\n${lines.join('\n')}`));
  }
  blocks.push(context('From PagerDuty, now. `/incident page <service or @person>` pages them.'));
  return { text: `${title}: ${rows.length} on call`, blocks };
}
