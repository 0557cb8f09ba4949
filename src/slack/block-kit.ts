import type { Button, KnownBlock } from '@slack/types';
import { clampText } from '../incident/incident.js';

/** A Block Kit message: `text` is the notification and screen-reader fallback. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** A block of a message or modal, as Slack's own types define it. */
export type Block = KnownBlock;

/** A button; `label` is what a screen reader says for it (Slack's `accessibility_label`). */
export function button(
  actionId: string,
  text: string,
  value: string,
  style?: 'primary' | 'danger',
  label?: string,
): Button {
  return {
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text },
    value,
    ...(style && { style }),
    ...(label && { accessibility_label: clampText(label, 75) }),
  };
}

/** A row of buttons. */
export function actions(blockId: string, elements: readonly Button[]): Block {
  return { type: 'actions', block_id: blockId, elements: [...elements] };
}

/** A button that opens a link (Slack still sends the click, which the app acknowledges). */
export function linkButton(actionId: string, text: string, url: string, label: string): Button {
  return {
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text },
    url,
    accessibility_label: clampText(label, 75),
  };
}

/**
 * A message of one section. Its notification text is the same words without bold
 * markers; underscores, backticks and emoji shortcodes stay, as they are part of names.
 */
export function simple(mrkdwn: string, text = plain(mrkdwn)): SlackMessage {
  return message(text, [section(mrkdwn)]);
}

/** Mrkdwn without its bold markers, for a notification. */
export function plain(mrkdwn: string): string {
  return mrkdwn.replace(/\*([^*\n]+)\*/g, '$1');
}

export function header(text: string): Block {
  return { type: 'header', text: { type: 'plain_text', text: clampText(text, 150), emoji: true } };
}

export function section(mrkdwn: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: clampText(mrkdwn, 3000) } };
}

export function context(mrkdwn: string): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: clampText(mrkdwn, 3000) }] };
}

export function fields(pairs: readonly (readonly [string, string])[]): Block {
  return {
    type: 'section',
    fields: pairs.slice(0, 10).map(([k, v]) => ({ type: 'mrkdwn', text: clampText(`*${k}*\n${v}`, 2000) })),
  };
}

export function message(text: string, blocks: Block[]): SlackMessage {
  return { text: clampText(text, 3000), blocks };
}

/** Escapes user text so it cannot become a mention or link. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function cap(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
