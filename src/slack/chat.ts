import { ErrorCode, type WebClient } from '@slack/web-api';
import type { Policy } from '../incident/policy.js';
import { type Chat, ChatFailure, type Notice } from '../incident/ports.js';
import { renderNotice } from './blocks.js';

/** Slack errors that retrying cannot fix: they mean the request itself is wrong. */
const PERMANENT = new Set([
  'invalid_blocks',
  'invalid_arguments',
  'invalid_name',
  'invalid_name_specials',
  'invalid_name_maxlength',
  'invalid_name_required',
  'msg_too_long',
  'no_text',
  'is_archived',
  'channel_not_found',
  'cant_update_message',
  'message_not_found',
  'too_many_attachments',
  'invalid_blocks_format',
  'user_not_found',
  'cant_invite',
  'ekm_access_denied',
  'restricted_action',
]);

/** Maps any Web API failure to a `ChatFailure` the domain understands. */
export function toChatFailure(err: unknown): ChatFailure {
  const e = err as { code?: string; retryAfter?: number; statusCode?: number; data?: { error?: string } };
  switch (e.code) {
    case ErrorCode.RateLimitedError:
      return new ChatFailure('ratelimited', true, (e.retryAfter ?? 1) * 1000);
    case ErrorCode.HTTPError:
      return new ChatFailure(`http_${e.statusCode ?? 'error'}`, (e.statusCode ?? 500) >= 500 || e.statusCode === 429);
    case ErrorCode.RequestError:
      return new ChatFailure('slack_unreachable', true);
    case ErrorCode.PlatformError: {
      const code = e.data?.error ?? 'unknown_error';
      return new ChatFailure(code, !PERMANENT.has(code));
    }
    default:
      return err instanceof ChatFailure
        ? err
        : new ChatFailure(err instanceof Error ? err.message : 'unknown_error', true);
  }
}

/** Runs a Web API call, turning any failure into a `ChatFailure`. */
export async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toChatFailure(err);
  }
}

const SLACK_CHANNEL_ID = /^[CGD][A-Z0-9]{8,}$/;
/** How far back a retried post looks for itself. */
const LOOKBACK_S = 6 * 3600;

/** The metadata that marks a message as the one posted for `key`. */
export const keyMetadata = (key: string) => ({ event_type: 'firebreak_effect', event_payload: { key } });

/** Finds a recent message of ours in `channel` that carries `key` in its metadata. */
export async function findKeyed(
  client: WebClient,
  channel: string,
  key: string,
): Promise<{ channel: string; ts: string } | undefined> {
  const res = await call(() =>
    client.conversations.history({
      channel,
      limit: 200,
      include_all_metadata: true,
      oldest: String(Date.now() / 1000 - LOOKBACK_S),
    }),
  );
  const hit = res.messages?.find((m) => (m.metadata?.event_payload as { key?: string } | undefined)?.key === key);
  return hit?.ts ? { channel, ts: hit.ts } : undefined;
}

/** The `Chat` port on Slack's Web API. */
export function createSlackChat(client: WebClient, policy: Policy, botUserId: () => Promise<string | undefined>): Chat {
  const ids = new Map<string, string>();

  /** The ID of a channel given by ID or name (#incidents), looked up once. */
  async function channelId(channel: string): Promise<string | undefined> {
    if (SLACK_CHANNEL_ID.test(channel)) return channel;
    const name = channel.replace(/^#/, '');
    if (ids.has(name)) return ids.get(name);
    let cursor: string | undefined;
    do {
      const page = await call(() =>
        client.conversations.list({
          limit: 1000,
          exclude_archived: true,
          types: 'public_channel,private_channel',
          ...(cursor && { cursor }),
        }),
      );
      const hit = page.channels?.find((c) => c.name === name);
      if (hit?.id) {
        ids.set(name, hit.id);
        return hit.id;
      }
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return undefined;
  }

  async function post(
    channel: string,
    notice: Notice,
    once?: { key: string; retry: boolean },
  ): Promise<{ channel: string; ts: string }> {
    if (once?.retry) {
      const id = await channelId(channel);
      const found = id && (await findKeyed(client, id, once.key));
      if (found) return found;
    }
    const { text, blocks } = renderNotice(notice, policy);
    const metadata = once && keyMetadata(once.key);
    const send = () =>
      client.chat.postMessage({
        channel,
        text,
        blocks,
        unfurl_links: false,
        unfurl_media: false,
        ...(metadata && { metadata }),
      });
    try {
      const res = await send();
      if (!SLACK_CHANNEL_ID.test(channel)) ids.set(channel.replace(/^#/, ''), res.channel!);
      return { channel: res.channel!, ts: res.ts! };
    } catch (err) {
      const failure = toChatFailure(err);
      if (failure.code !== 'not_in_channel' || !SLACK_CHANNEL_ID.test(channel)) throw failure;
      await call(() => client.conversations.join({ channel }));
      const res = await call(send);
      return { channel: res.channel!, ts: res.ts! };
    }
  }

  async function members(ids: readonly string[]): Promise<Set<string>> {
    const users = new Set<string>();
    for (const id of ids) {
      if (id.startsWith('S')) {
        const res = await call(() => client.usergroups.users.list({ usergroup: id }));
        for (const u of res.users ?? []) users.add(u);
      } else users.add(id);
    }
    return users;
  }

  return {
    createChannel: (name) =>
      call(async () => {
        const res = await client.conversations.create({ name, is_private: false });
        return { id: res.channel!.id!, name: res.channel!.name ?? name };
      }),

    async invite(channelId, ids) {
      const users = await members(ids);
      const self = await botUserId();
      if (self) users.delete(self);
      if (!users.size) return;
      try {
        await client.conversations.invite({ channel: channelId, users: [...users].join(','), force: true });
      } catch (err) {
        const failure = toChatFailure(err);
        if (failure.code !== 'already_in_channel') throw failure;
      }
    },

    setTopic: (channelId, topic) =>
      call(async () => void (await client.conversations.setTopic({ channel: channelId, topic }))),

    post,

    async dm(id, notice, once) {
      for (const user of await members([id])) {
        const opened = await call(() => client.conversations.open({ users: user }));
        await post(opened.channel!.id!, notice, once && { key: `${once.key}-${user}`, retry: once.retry });
      }
    },

    edit: (channel, ts, notice) =>
      call(async () => {
        const { text, blocks } = renderNotice(notice, policy);
        await client.chat.update({ channel, ts, text, blocks });
      }),

    async pin(channel, ts) {
      try {
        await client.pins.add({ channel, timestamp: ts });
      } catch (err) {
        const failure = toChatFailure(err);
        if (failure.code !== 'already_pinned') throw failure;
      }
    },
  };
}
