import { clampText, commander, type Incident } from '../incident/incident.js';
import type { Policy } from '../incident/policy.js';
import type { OpenPage } from '../incident/requests.js';
import { type Block, button, context, esc, header, message, type SlackMessage, section, simple } from './block-kit.js';
import { encode, PAGE_ACTIONS } from './page-values.js';

const SEVERITY_EMOJI = [':red_circle:', ':large_orange_circle:', ':large_yellow_circle:', ':white_circle:'];

/** A page of open incidents, newest first; `before` were shown on earlier pages. A button leads to the next. */
export function renderList(page: OpenPage, before: number, policy: Policy): SlackMessage {
  const { incidents, total } = page;
  if (!incidents.length && !before) return simple('No open incidents. :tada:');
  // An ephemeral list: a mention there shows a name and notifies no one.
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

/** The severity's colour, most severe first. */
export function emoji(i: Incident, policy: Policy): string {
  const rank = policy.severities.findIndex((s) => s.level === i.severity);
  return SEVERITY_EMOJI[Math.min(Math.max(rank, 0), SEVERITY_EMOJI.length - 1)]!;
}
/** The policy's description of the incident's severity. */
export function describe(i: Incident, policy: Policy): string {
  return policy.severities.find((s) => s.level === i.severity)?.description ?? '';
}
/** Whether the incident's severity opens a war room. */
export function severityWantsRoom(i: Incident, policy: Policy): boolean {
  return policy.severities.find((s) => s.level === i.severity)?.warRoom ?? false;
}
