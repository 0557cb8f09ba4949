import { BOT_USER, type Channel } from '../workspace.js';
import { type Answer, flag, type MethodDeps, type MethodFamily, type Params, slackError } from './method.js';
import { channelJson, messageJson } from './shapes.js';

/** Slack's longest channel topic. */
const MAX_TOPIC = 250;

/** Slack's documented name rules: lowercase letters, digits, hyphens, underscores; 80 characters. */
function nameProblem(name: string): string | undefined {
  if (!name) return 'invalid_name_required';
  if (name.length > 80) return 'invalid_name_maxlength';
  if (!/^[\p{Ll}\p{Lo}\p{N}_-]+$/u.test(name)) return 'invalid_name_specials';
  return undefined;
}

/** A comma-separated list of user IDs, as conversations.invite takes them. */
function userList(value: unknown): string[] {
  return String(value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Whether a message ts lies in the call's `oldest`/`latest` window (`inclusive` or not). */
function timeWindow(p: Params): (ts: string) => boolean {
  const oldest = Number(p.oldest ?? 0);
  const latest = p.latest === undefined ? Infinity : Number(p.latest);
  if (flag(p.inclusive)) return (ts) => Number(ts) >= oldest && Number(ts) <= latest;
  return (ts) => Number(ts) > oldest && Number(ts) < latest;
}

/** Whether a window bound is absent or a number of seconds, as Slack takes `oldest` and `latest`. */
function isTimestamp(value: unknown): boolean {
  return value === undefined || !Number.isNaN(Number(value));
}

/** The page size a call asks for, capped as Slack caps it. */
function pageSize(p: Params, max: number): number {
  return Math.min(Number(p.limit ?? 100), max);
}

/**
 * The conversations.* methods: create (Slack's name rules), list (cursor
 * pages), info, join, open (one-person DMs), invite, setTopic, history (newest
 * first) and replies (parent first). The bot reads and writes only where it
 * is a member, as a bot token does.
 */
export function createConversationMethods({ workspace }: MethodDeps): MethodFamily {
  /** The channel the call names by ID, or Slack's error when it is missing or the bot is not in it. */
  const memberChannel = (p: Params): Channel | Answer => {
    const target = workspace.channelFor(p.channel, false);
    if (!target) return slackError('channel_not_found');
    if (!target.members.has(BOT_USER)) return slackError('not_in_channel');
    return target;
  };
  /** As `memberChannel`, for what only channels take: a DM has no one to invite, no topic, nothing to join. */
  const memberChannelNotDm = (p: Params): Channel | Answer => {
    const target = workspace.channelFor(p.channel, false);
    if (target?.is_im) return slackError('method_not_supported_for_channel_type');
    if (target?.is_archived) return slackError('is_archived');
    return memberChannel(p);
  };
  const isAnswer = (x: Channel | Answer): x is Answer => 'ok' in x;

  /** The answer to conversations.history and .replies: `messages` shaped as Slack shapes them. */
  const page = (target: Channel, messages: ReturnType<typeof messageJson>[], hasMore: boolean): Answer => ({
    ok: true,
    messages,
    has_more: hasMore,
    pin_count: target.pins.size,
    channel_actions_ts: null,
    channel_actions_count: 0,
  });

  return {
    'conversations.create': (p) => {
      const name = typeof p.name === 'string' ? p.name : '';
      const problem = nameProblem(name);
      if (problem) return slackError(problem);
      if (workspace.channelByName(name)) return slackError('name_taken');
      const channel = workspace.addChannel(name, [BOT_USER]);
      channel.creator = BOT_USER;
      channel.is_private = flag(p.is_private);
      return { ok: true, channel: channelJson(channel) };
    },

    'conversations.list': (p) => {
      const all = [...workspace.channels.values()].filter((c) => !c.is_im);
      const start = Number(p.cursor ? Buffer.from(String(p.cursor), 'base64').toString() : 0);
      const limit = pageSize(p, 1000);
      const next = start + limit < all.length ? Buffer.from(String(start + limit)).toString('base64') : '';
      const channels = all.slice(start, start + limit).map(channelJson);
      return { ok: true, channels, response_metadata: { next_cursor: next } };
    },

    'conversations.info': (p) => {
      const target = workspace.channelFor(p.channel, false);
      return target ? { ok: true, channel: channelJson(target) } : slackError('channel_not_found');
    },

    'conversations.join': (p) => {
      const target = workspace.channelFor(p.channel, false);
      if (!target) return slackError('channel_not_found');
      if (target.is_im) return slackError('method_not_supported_for_channel_type');
      if (target.is_archived) return slackError('is_archived');
      target.members.add(BOT_USER);
      return { ok: true, channel: channelJson(target) };
    },

    'conversations.open': (p) => {
      const users = String(p.users ?? '')
        .split(',')
        .filter(Boolean);
      if (users.length !== 1) return slackError(users.length ? 'not_implemented' : 'users_list_not_supplied');
      if (!workspace.users.has(users[0]!)) return slackError('user_not_found');
      return { ok: true, channel: { id: workspace.dm(users[0]!).id } };
    },

    'conversations.invite': (p) => {
      const target = memberChannelNotDm(p);
      if (isAnswer(target)) return target;
      const ids = userList(p.users);
      if (!ids.length) return slackError('no_user');
      if (ids.includes(BOT_USER)) return slackError('cant_invite_self');
      const unknown = ids.filter((id) => !workspace.users.has(id));
      if (unknown.length)
        return slackError('user_not_found', {
          errors: unknown.map((user) => ({ user, ok: false, error: 'user_not_found' })),
        });
      const fresh = ids.filter((id) => !target.members.has(id));
      if (!fresh.length) return slackError('already_in_channel');
      for (const id of fresh) target.members.add(id);
      return { ok: true, channel: channelJson(target) };
    },

    'conversations.setTopic': (p) => {
      const target = memberChannelNotDm(p);
      if (isAnswer(target)) return target;
      const topic = String(p.topic ?? '');
      if (topic.length > MAX_TOPIC) return slackError('too_long');
      target.topic = topic;
      return { ok: true, channel: channelJson(target) };
    },

    'conversations.history': (p) => {
      const target = memberChannel(p);
      if (isAnswer(target)) return target;
      if (!isTimestamp(p.oldest)) return slackError('invalid_ts_oldest');
      if (!isTimestamp(p.latest)) return slackError('invalid_ts_latest');
      const withMeta = flag(p.include_all_metadata);
      const isTop = (m: { ts: string; thread_ts?: string }) => !m.thread_ts || m.thread_ts === m.ts;
      if (flag(p.inclusive) && p.oldest !== undefined && p.oldest === p.latest) {
        // One message by its ts: the lookup capture makes, found without scanning the whole channel.
        const m = workspace.messageAt(target.id, String(p.oldest));
        return page(target, m && isTop(m) ? [messageJson(target, m, withMeta)] : [], false);
      }
      const inWindow = timeWindow(p);
      const top = target.messages.filter((m) => isTop(m) && inWindow(m.ts)).reverse();
      const shown = top.slice(0, pageSize(p, 999));
      return page(
        target,
        shown.map((m) => messageJson(target, m, withMeta)),
        top.length > shown.length,
      );
    },

    'conversations.replies': (p) => {
      const target = workspace.channelFor(p.channel, false);
      if (!target) return slackError('channel_not_found');
      const head = target.messages.find((m) => m.ts === String(p.ts ?? ''));
      if (!head) return slackError('thread_not_found');
      const root = head.thread_ts ?? head.ts;
      const inWindow = timeWindow(p);
      // Slack always returns the thread's parent first, then the replies in range.
      const thread = target.messages.filter((m) => m.ts === root || (m.thread_ts === root && inWindow(m.ts)));
      const limit = pageSize(p, 999);
      const messages = thread.slice(0, limit).map((m) => messageJson(target, m, false));
      return { ok: true, messages, has_more: thread.length > limit };
    },
  };
}
