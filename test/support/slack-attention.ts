import type { FakeSlack, SlackCall } from './fake-slack/server.js';

/** One message the bot posted (a new message, not an edit), with where it went. */
export interface Post {
  readonly channel: string;
  readonly ts: string;
  readonly text: string;
  readonly blocks: unknown;
  /** A direct message, not a channel. */
  readonly dm: boolean;
}

/** One person notified by a mention in a new post. */
export interface Ping {
  readonly post: Post;
  readonly user: string;
  /** How they were reached: by name, through a user group, or by `@here`/`@channel`. */
  readonly via: 'user' | 'group' | 'broadcast';
}

const USER = /<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g;
const GROUP = /<!subteam\^([A-Z0-9]+)(?:\|[^>]*)?>/g;
const BROADCAST = /<!(here|channel|everyone)(?:\|[^>]*)?>/g;

/** The bot's successful `chat.postMessage` calls, as posts. */
export function posts(slack: FakeSlack): Post[] {
  return slack.callsTo('chat.postMessage').map((c) => postOf(slack, c));
}

function postOf(slack: FakeSlack, c: SlackCall): Post {
  const channel = String(c.response.channel ?? c.params.channel);
  return {
    channel,
    ts: String(c.response.ts),
    text: String(c.params.text ?? ''),
    blocks: c.params.blocks,
    dm: slack.channels.get(channel)?.is_im === true,
  };
}

/**
 * Everyone a post notifies through a mention, once per person per post, as Slack
 * counts them: a user mention in the text or any block, each member of a mentioned
 * user group, and each member of the channel for `@here` and `@channel`.
 */
export function pingsOf(slack: FakeSlack, post: Post): Ping[] {
  const raw = `${post.text}\n${typeof post.blocks === 'string' ? post.blocks : JSON.stringify(post.blocks ?? [])}`;
  const found = new Map<string, Ping['via']>();
  for (const m of raw.matchAll(USER)) found.set(m[1]!, 'user');
  for (const m of raw.matchAll(GROUP))
    for (const u of slack.usergroups.get(m[1]!) ?? []) if (!found.has(u)) found.set(u, 'group');
  if (raw.match(BROADCAST))
    for (const u of slack.channels.get(post.channel)?.members ?? []) if (!found.has(u)) found.set(u, 'broadcast');
  return [...found].map(([user, via]) => ({ post, user, via }));
}

/** Every mention notification of every new post the bot made. */
export function allPings(slack: FakeSlack): Ping[] {
  return posts(slack).flatMap((p) => pingsOf(slack, p));
}

/** Figures of one run: Web API calls by method, new posts, edits, topic changes and mention notifications. */
export function attentionFigures(slack: FakeSlack) {
  const byMethod: Record<string, number> = {};
  for (const c of slack.calls) byMethod[c.method] = (byMethod[c.method] ?? 0) + 1;
  return {
    calls: slack.calls.length,
    byMethod,
    posts: slack.callsTo('chat.postMessage').length,
    edits: slack.callsTo('chat.update').length,
    topics: slack.callsTo('conversations.setTopic').length,
    pings: allPings(slack).length,
  };
}
