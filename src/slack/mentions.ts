import type { Ref } from '../incident/refs.js';
import { escapeExternal } from './external-text.js';

/**
 * People, user groups and channels in Slack's markup, and the ping policy: the one place
 * that writes `<@U…>`, `<!subteam^S…>` and `<#C…>`, and reads mentions back.
 *
 * A mention notifies its person, so a message pings only someone who must act now, for
 * one of `PING_REASONS`; everyone else is shown by display name, which notifies no one.
 */

/** Why a message may ping someone; nothing else does. */
export const PING_REASONS = {
  /** The incident commander, when an update is due. */
  updateDue: 'update_due',
  /** The people (or user groups) of an escalation step. */
  escalation: 'escalation',
  /** Whoever can approve a waiting runbook step: the IC at the request and the policy's approvers. */
  approval: 'approval',
  /** The person who approved a step that is asked again (its spec changed). */
  askedAgain: 'asked_again',
  /** Not a ping: an ephemeral reply shows the mention as a name and notifies no one. */
  ephemeral: 'ephemeral',
} as const;
export type PingReason = (typeof PING_REASONS)[keyof typeof PING_REASONS];

/** Display names by user ID, resolved before a message is rendered (rendering is synchronous). */
export interface Names {
  /** The person's display name; their ID when Slack did not say. */
  of(userId: string): string;
}

/** Names that are only IDs: for messages rendered before (or without) a look-up. */
export const NO_NAMES: Names = { of: (id) => id };

const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;
const SLACK_GROUP = /^S[A-Z0-9]{2,}$/;
const USER_MENTION = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/;

/** A Slack user ID (`U…`, `W…`). */
export function isUserId(ref: string): boolean {
  return SLACK_USER.test(ref);
}

/** A Slack user group ID (`S…`). */
export function isGroupId(ref: string): boolean {
  return SLACK_GROUP.test(ref);
}

/**
 * A mention that notifies: a person or every member of a user group. The reason is
 * required so every ping in the code says why it is one.
 */
export function ping(ref: string, _reason: PingReason): string {
  return isGroupId(ref) ? `<!subteam^${ref}>` : `<@${ref}>`;
}

/** Pings every one of `refs`, for one reason, joined for a sentence. */
export function pingAll(refs: readonly string[], reason: PingReason): string {
  return listed(refs.map((r) => ping(r, reason)));
}

/**
 * A person without a ping: their display name, escaped. A user group shows as its
 * handle-less mention would ping, so it is named by ID; anything else (a PagerDuty
 * name, "firebreak") is shown as it is, escaped.
 */
export function named(ref: string, names: Names): string {
  if (isUserId(ref)) return escapeName(names.of(ref));
  if (isGroupId(ref)) return `group ${ref}`;
  return escapeExternal(ref, 120);
}

/**
 * A domain reference as raw text for `readable` to finish: a person's name, a group by
 * ID, a channel as its link (which `readable` keeps).
 */
export function refText(ref: Ref, names: Names): string {
  if (ref.kind === 'channel') return `<#${ref.id}>`;
  return isGroupId(ref.id) ? `group ${ref.id}` : names.of(ref.id);
}

/** A domain reference in an ephemeral reply: a mention shows a name there and notifies no one. */
export function refLink(ref: Ref): string {
  return ref.kind === 'channel' ? channelLink(ref.id) : ping(ref.id, PING_REASONS.ephemeral);
}

/** The channel as a link (a channel link notifies no one). */
export function channelLink(channelId: string): string {
  return `<#${channelId}>`;
}

/** `a`, `a and b`, `a, b and c`. */
export function listed(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** The user ID of a mention a person typed (`<@U123>` or `<@U123|name>`); undefined when it is not one. */
export function mentionedUser(word: string): string | undefined {
  return USER_MENTION.exec(word)?.[1];
}

const MARKUP = /<(@|#|!subteam\^)([A-Z0-9]+)(?:\|([^>]*))?>/g;

/**
 * Stored text made safe to show once: Slack markup in it (a mention, a group, a channel,
 * from text people typed or an older timeline) becomes a name that pings no one, and
 * everything else is escaped exactly once (an entity Slack already escaped stays as it is).
 */
export function readable(text: string, names: Names): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(MARKUP)) {
    out += escapeOnce(text.slice(last, m.index));
    const [, sigil, id, label] = m;
    if (sigil === '@') out += escapeName(names.of(id!));
    else if (sigil === '#') out += channelLink(id!);
    else out += escapeName(label ? label : `group ${id}`);
    last = m.index + m[0].length;
  }
  return out + escapeOnce(text.slice(last));
}

function escapeOnce(text: string): string {
  return text
    .replace(/&(?!(?:amp|lt|gt);)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * Chat text as plain text, for a report that reads on its own: a mention becomes `@name`,
 * a user group its handle, a channel `#name`, and Slack's entities are undone.
 */
export function plainText(text: string, names: ReadonlyMap<string, string>): string {
  return text
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, (_, id: string) => `@${names.get(id) ?? id}`)
    .replace(/<!subteam\^([A-Z0-9]+)(?:\|([^>]*))?>/g, (_, id: string, label?: string) => label ?? `@${id}`)
    .replace(/<#([CG][A-Z0-9]+)(?:\|([^>]*))?>/g, (_, id: string, label?: string) => `#${label ?? id}`)
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Every user ID a value holds anywhere (as a string, or mentioned in one), for resolving names. */
export function userIdsIn(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    if (isUserId(value)) into.add(value);
    for (const m of value.matchAll(/<@([UW][A-Z0-9]+)/g)) into.add(m[1]!);
  } else if (Array.isArray(value)) for (const v of value) userIdsIn(v, into);
  else if (value && typeof value === 'object' && !(value instanceof Date))
    for (const v of Object.values(value)) userIdsIn(v, into);
  return into;
}

function escapeName(text: string): string {
  return escapeExternal(text, 120);
}
