import type { WebClient } from '@slack/web-api';
import { IMPORTANCE, type Importance, noticeImportance } from '../incident/importance.js';
import type { Notice } from '../incident/notice.js';
import type { Policy } from '../incident/policy.js';
import type { Chat } from '../incident/ports.js';
import { call, toChatFailure } from './chat-failure.js';
import { isGroupId } from './mentions.js';
import { createNames, type NamesFor } from './names.js';
import { renderNotice } from './notice-blocks.js';
import { type Pacer, unpaced } from './pacer.js';
import { topicOf } from './topic.js';

export { call, toChatFailure } from './chat-failure.js';

const SLACK_CHANNEL_ID = /^[CGD][A-Z0-9]{8,}$/;
const SLACK_DM = /^D[A-Z0-9]{8,}$/;
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
  const hit = res.messages?.find((m) => {
    const payload = m.metadata?.event_payload;
    return payload !== undefined && 'key' in payload && payload.key === key;
  });
  return hit?.ts ? { channel, ts: hit.ts } : undefined;
}

/** Messages whose last content is remembered, so an edit that changes nothing is not sent. */
const SHOWN_MAX = 5_000;

/**
 * The `Chat` port on Slack's Web API. Calls go through `pacer`, ordered by
 * how much they matter. People in a notice are shown by display name (looked
 * up once an hour); a topic already set is not set again, and an edit that
 * would show what the message already shows is not sent.
 */
export function createSlackChat(
  client: WebClient,
  policy: Policy,
  botUserId: () => Promise<string | undefined>,
  pacer: Pacer = unpaced(),
  namesFor: NamesFor = createNames(client),
): Chat {
  const ids = new Map<string, Promise<string | undefined>>();
  const topics = new Map<string, string>();
  const shown = new Map<string, string>();
  const at = <T>(level: Importance, work: () => Promise<T>) => pacer.withImportance(level, work);

  /**
   * The ID of a channel given by ID or name (#incidents), looked up once:
   * posts made while the look-up is under way wait for that one look-up
   * rather than each spending a rate-limited call of their own.
   */
  function channelId(channel: string): Promise<string | undefined> {
    if (SLACK_CHANNEL_ID.test(channel)) return Promise.resolve(channel);
    const name = channel.replace(/^#/, '');
    const known = ids.get(name);
    if (known) return known;
    const lookup = findChannel(name).then((found) => (found && !found.archived ? found.id : undefined));
    ids.set(name, lookup);
    // A failed or empty look-up is not remembered: the next post tries again.
    lookup.then(
      (id) => id === undefined && ids.delete(name),
      () => ids.delete(name),
    );
    return lookup;
  }

  async function findChannel(name: string) {
    let cursor: string | undefined;
    const self = await botUserId();
    do {
      const page = await call(() =>
        client.conversations.list({
          limit: 1000,
          // Private channels would need groups:read, which the manifest does not ask for; war rooms are public.
          types: 'public_channel',
          ...(cursor && { cursor }),
        }),
      );
      const hit = page.channels?.find((c) => c.name === name);
      if (hit?.id)
        return {
          id: hit.id,
          name,
          createdByUs: !!self && hit.creator === self,
          archived: hit.is_archived === true,
        };
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return undefined;
  }

  async function post(
    channel: string,
    notice: Notice,
    once?: { key: string; retry: boolean },
  ): Promise<{ channel: string; ts: string }> {
    return at(noticeImportance(notice.kind), async () => {
      if (once?.retry) {
        const id = await channelId(channel);
        const found = id && (await findKeyed(client, id, once.key));
        if (found) return found;
      }
      // A name posts under its ID, so the pacer counts each channel once, as Slack does.
      const target = (await channelId(channel).catch(() => undefined)) ?? channel;
      const names = await namesFor(notice);
      const { text, blocks } = renderNotice(notice, { policy, names, direct: SLACK_DM.test(target) });
      const metadata = once && keyMetadata(once.key);
      const send = () =>
        client.chat.postMessage({
          channel: target,
          text,
          blocks,
          unfurl_links: false,
          unfurl_media: false,
          ...(metadata && { metadata }),
        });
      try {
        const res = await send();
        if (!SLACK_CHANNEL_ID.test(channel)) ids.set(channel.replace(/^#/, ''), Promise.resolve(res.channel!));
        remember(res.channel!, res.ts!, text, blocks);
        return { channel: res.channel!, ts: res.ts! };
      } catch (err) {
        const failure = toChatFailure(err);
        if (failure.code !== 'not_in_channel' || !SLACK_CHANNEL_ID.test(target)) throw failure;
        await call(() => client.conversations.join({ channel: target }));
        const res = await call(send);
        return { channel: res.channel!, ts: res.ts! };
      }
    });
  }

  /** Records what a message shows; true when that is what it showed already. */
  function remember(channel: string, ts: string, text: string, blocks: unknown): boolean {
    const key = `${channel}/${ts}`;
    const content = JSON.stringify([text, blocks]);
    if (shown.get(key) === content) return true;
    shown.delete(key);
    if (shown.size >= SHOWN_MAX) shown.delete(shown.keys().next().value!);
    shown.set(key, content);
    return false;
  }

  async function members(ids: readonly string[]): Promise<Set<string>> {
    const users = new Set<string>();
    for (const id of ids) {
      if (isGroupId(id)) {
        const res = await call(() => client.usergroups.users.list({ usergroup: id }));
        for (const u of res.users ?? []) users.add(u);
      } else users.add(id);
    }
    return users;
  }

  return {
    createChannel: (name) =>
      at(IMPORTANCE.urgent, () =>
        call(async () => {
          const res = await client.conversations.create({ name, is_private: false });
          return { id: res.channel!.id!, name: res.channel!.name ?? name };
        }),
      ),

    findChannel: (name) => at(IMPORTANCE.urgent, () => findChannel(name)),

    invite: (channelId, ids) =>
      at(IMPORTANCE.urgent, async () => {
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
      }),

    setTopic: (channelId, incident) =>
      at(IMPORTANCE.background, async () => {
        const topic = topicOf(incident, await namesFor(incident));
        if (topics.get(channelId) === topic) return;
        await call(() => client.conversations.setTopic({ channel: channelId, topic }));
        topics.set(channelId, topic);
      }),

    post,

    dm: (id, notice, once) =>
      at(noticeImportance(notice.kind), async () => {
        const posted: { channel: string; ts: string }[] = [];
        for (const user of await members([id])) {
          const opened = await call(() => client.conversations.open({ users: user }));
          posted.push(
            await post(opened.channel!.id!, notice, once && { key: `${once.key}-${user}`, retry: once.retry }),
          );
        }
        return posted;
      }),

    edit: (channel, ts, notice) =>
      at(IMPORTANCE.background, async () => {
        const names = await namesFor(notice);
        const { text, blocks } = renderNotice(notice, { policy, names, direct: SLACK_DM.test(channel) });
        if (remember(channel, ts, text, blocks)) return;
        try {
          await call(() => client.chat.update({ channel, ts, text, blocks }));
        } catch (err) {
          shown.delete(`${channel}/${ts}`);
          throw err;
        }
      }),

    pin: (channel, ts) =>
      at(IMPORTANCE.urgent, async () => {
        try {
          await client.pins.add({ channel, timestamp: ts });
        } catch (err) {
          const failure = toChatFailure(err);
          if (failure.code !== 'already_pinned') throw failure;
        }
      }),
  };
}
