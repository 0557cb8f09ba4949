import type { KnownBlock } from '@slack/types';
import { z } from 'zod';
import type { AlertDigest, AlertGroup, DigestLine, StoredAlert } from '../alerts/alert-group.js';
import type { prefillOf } from '../alerts/rules.js';
import type { Policy } from '../incident/policy.js';
import { type Block, button, context, header, type SlackMessage, section } from './block-kit.js';
import { escapeExternal, externalLink } from './external-text.js';
import { declareModal } from './views.js';

export const ALERT_DECLARE_ACTION = 'alert_declare';
export const ALERT_PICK_ACTION = 'alert_declare_pick';
export const ALERT_DECLARE_VIEW = 'declare_from_alert';
/** The digest's actions block carries the digest's ID, so its picker can list that digest's groups. */
export const DIGEST_BLOCK_PREFIX = 'alert_digest_';

/** What a Declare button (or a picked option) carries: the group, and its episode when known. */
export const alertValue = z.strictObject({ g: z.number().int().min(1), e: z.number().int().min(1).optional() });

const ALERTS_SHOWN = 10;
const LEVEL_EMOJI = [':red_circle:', ':large_orange_circle:', ':large_yellow_circle:', ':white_circle:'];

function levelEmoji(level: string | null, policy: Policy): string {
  const rank = level ? policy.severities.findIndex((s) => s.level === level) : -1;
  return rank < 0 ? ':white_circle:' : LEVEL_EMOJI[Math.min(rank, LEVEL_EMOJI.length - 1)]!;
}

const labelList = (labels: Readonly<Record<string, string>>, max: number) =>
  Object.entries(labels)
    .slice(0, max)
    .map(([k, v]) => `${escapeExternal(k, 40)}=${escapeExternal(v, 80)}`)
    .join(', ');

function alertLine(a: StoredAlert, common: Readonly<Record<string, string>>): string {
  const mark = a.status === 'firing' ? ':fire:' : ':white_check_mark:';
  const name = escapeExternal(a.labels.alertname ?? 'alert', 80);
  const summary = a.annotations.summary ?? a.annotations.description;
  const own = Object.fromEntries(Object.entries(a.labels).filter(([k, v]) => k !== 'alertname' && common[k] !== v));
  const link = externalLink(a.generatorURL, 'source');
  return [
    `${mark} *${name}*${summary ? `: ${escapeExternal(summary, 300)}` : ''}`,
    [labelList(own, 5), link].filter(Boolean).join(' · '),
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * An alert group's card: its alerts (name, summary, the labels that tell them
 * apart, a link to the generator), and a Declare button while it fires and
 * has no incident. Everything from Alertmanager is escaped and cut to size.
 */
export function renderAlertCard(group: AlertGroup, policy: Policy): SlackMessage {
  const alerts = Object.values(group.alerts).sort((a, b) =>
    a.status === b.status ? 0 : a.status === 'firing' ? -1 : 1,
  );
  const firing = alerts.filter((a) => a.status === 'firing').length;
  const level = group.level ?? 'no level';
  const title = escapeExternal(group.title, 150);
  const top =
    group.status === 'resolved'
      ? `:white_check_mark: Resolved · ${group.title}`
      : `${levelEmoji(group.level, policy)} ${level} alert · ${group.title}`;
  const blocks: Block[] = [
    header(top),
    section(
      `*${title}*\n${firing} firing · ${alerts.length - firing} resolved · from Alertmanager (receiver ${escapeExternal(group.receiver, 60)})`,
    ),
    ...alerts.slice(0, ALERTS_SHOWN).map((a) => section(alertLine(a, group.commonLabels))),
  ];
  const more = alerts.length - ALERTS_SHOWN;
  if (more > 0 || group.truncated > 0)
    blocks.push(
      context(
        [
          more > 0 ? `${more} more alerts` : '',
          group.truncated > 0 ? `${group.truncated} not sent by Alertmanager (max_alerts)` : '',
        ]
          .filter(Boolean)
          .join(' · '),
      ),
    );
  const common = labelList(group.commonLabels, 8);
  if (common) blocks.push(context(`Labels: ${common}`));
  if (group.incidentId) blocks.push(section(`:rotating_light: Declared as *${group.incidentId}*.`));
  else if (group.status === 'firing')
    blocks.push({
      type: 'actions',
      block_id: 'alert_actions',
      elements: [
        button(ALERT_DECLARE_ACTION, 'Declare incident', JSON.stringify({ g: group.id, e: group.episode }), 'danger'),
      ],
    });
  const state = group.status === 'resolved' ? 'resolved' : `${firing} firing`;
  return { text: `Alert (${level}, ${state}): ${title}`, blocks };
}

function digestLine(l: DigestLine, policy: Policy): string {
  const title = escapeExternal(l.title, 120);
  if (l.status === 'resolved') return `• :white_check_mark: ~${title}~ resolved`;
  const tie = l.incidentId ? ` · declared as *${l.incidentId}*` : '';
  return `• ${levelEmoji(l.level, policy)} *${escapeExternal(l.level ?? 'no level', 16)}* ${title}: ${l.firing} firing${tie}`;
}

/**
 * The storm digest: the groups that came faster than the channel takes
 * cards, most severe first, kept up to date in place, with a picker that
 * declares an incident from any of them.
 */
export function renderAlertDigest(digest: AlertDigest, policy: Policy): SlackMessage {
  const rank = (l: DigestLine) => {
    const r = l.level ? policy.severities.findIndex((s) => s.level === l.level) : -1;
    return r < 0 ? policy.severities.length : r;
  };
  const lines = [...digest.lines]
    .sort((a, b) => Number(b.status === 'firing') - Number(a.status === 'firing') || rank(a) - rank(b) || a.id - b.id)
    .slice(0, 30)
    .map((l) => digestLine(l, policy));
  const blocks: Block[] = [
    header(`:rotating_light: Alert storm: ${digest.firing} of ${digest.total} groups firing`),
    section(
      `${digest.total} alert groups came faster than this channel takes messages, so they are listed here instead of a card each, and this message is kept up to date.`,
    ),
  ];
  for (let n = 0; n < lines.length; n += 10) blocks.push(section(lines.slice(n, n + 10).join('\n')));
  if (digest.total > lines.length)
    blocks.push(context(`${digest.total - lines.length} more groups; the picker below finds any of them.`));
  blocks.push({
    type: 'actions',
    block_id: `${DIGEST_BLOCK_PREFIX}${digest.id}`,
    elements: [
      {
        type: 'external_select',
        action_id: ALERT_PICK_ACTION,
        placeholder: { type: 'plain_text', text: 'Declare an incident from a group…' },
        min_query_length: 0,
      },
    ],
  });
  return { text: `Alert storm: ${digest.firing} of ${digest.total} alert groups firing`, blocks };
}

/** The declare form, prefilled from an alert group; submitting it declares the group's incident. */
export function alertDeclareModal(
  policy: Policy,
  group: Pick<AlertGroup, 'id' | 'episode' | 'title'>,
  prefill: ReturnType<typeof prefillOf>,
  originChannel: string,
) {
  const base = declareModal(policy, originChannel);
  const initial: Record<string, string | undefined> = {
    title: prefill.title,
    impact: prefill.impact || undefined,
    services: prefill.services.length ? prefill.services.join(', ') : undefined,
  };
  const blocks = base.blocks.map((b): KnownBlock => {
    if (b.type !== 'input' || !b.block_id) return b;
    const element = b.element;
    if (element.type === 'static_select') {
      const option = element.options?.find((o) => o.value === prefill.severity);
      return option ? { ...b, element: { ...element, initial_option: option } } : b;
    }
    const value = initial[b.block_id];
    return element.type === 'plain_text_input' && value ? { ...b, element: { ...element, initial_value: value } } : b;
  });
  return {
    ...base,
    callback_id: ALERT_DECLARE_VIEW,
    private_metadata: JSON.stringify({ channelId: originChannel, g: group.id, e: group.episode }),
    blocks: [context(`From the Alertmanager group *${escapeExternal(group.title, 150)}*`), ...blocks],
  };
}
