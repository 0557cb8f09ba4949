import type { WebClient } from '@slack/web-api';
import type { Directory } from '../incident/ports.js';
import type { SourceMessage } from '../incident/record-items.js';
import { call, toChatFailure } from './chat.js';
import { plainChatText } from './names.js';

const TTL_MS = 60 * 60_000;
const MAX_ENTRIES = 5_000;

/** A small TTL cache: names and time zones change rarely, and capture runs at event rate. */
export function cached<T>(load: (key: string) => Promise<T>) {
  const entries = new Map<string, { at: number; value: Promise<T> }>();
  return (key: string): Promise<T> => {
    const hit = entries.get(key);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
    if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
    const value = load(key);
    entries.set(key, { at: Date.now(), value });
    value.catch(() => entries.delete(key));
    return value;
  };
}

/** The `Directory` port on Slack's Web API: messages, people, permalinks and file uploads. */
export function createSlackDirectory(client: WebClient): Directory {
  const user = cached(async (id) => (await call(() => client.users.info({ user: id }))).user);
  async function displayName(id: string): Promise<string> {
    const u = await user(id).catch(() => undefined);
    return u?.profile?.display_name || u?.real_name || u?.name || id;
  }

  return {
    async fetchMessage(channel, ts): Promise<SourceMessage | undefined> {
      const top = await call(() =>
        client.conversations.history({ channel, latest: ts, oldest: ts, inclusive: true, limit: 1 }),
      );
      let m = top.messages?.find((x) => x.ts === ts);
      if (!m) {
        const thread = await call(() =>
          client.conversations.replies({ channel, ts, oldest: ts, latest: ts, inclusive: true, limit: 2 }),
        ).catch(() => undefined);
        m = thread?.messages?.find((x) => x.ts === ts);
      }
      if (!m) return undefined;
      return {
        userId: m.user ?? '',
        text: await plainChatText(m.text ?? '', displayName),
        threadTs: m.thread_ts && m.thread_ts !== m.ts ? m.thread_ts : null,
        botId: m.bot_id ?? null,
      };
    },

    displayName,

    async permalink(channel, ts) {
      const res = await call(() => client.chat.getPermalink({ channel, message_ts: ts })).catch(() => undefined);
      return res?.permalink ?? null;
    },

    async tzOffset(id) {
      const u = await user(id).catch(() => undefined);
      return u?.tz_offset ?? 0;
    },

    async upload(channel, file) {
      const bytes = Buffer.from(file.content, 'utf8');
      const target = await call(() =>
        client.files.getUploadURLExternal({ filename: file.filename, length: bytes.length }),
      );
      const put = await fetch(target.upload_url!, {
        method: 'POST',
        body: bytes,
        headers: { 'content-type': 'text/markdown' },
      });
      if (!put.ok) throw toChatFailure({ code: 'slack_webapi_http_error', statusCode: put.status });
      await call(() =>
        client.files.completeUploadExternal({
          files: [{ id: target.file_id!, title: file.title }],
          channel_id: channel,
          initial_comment: file.comment,
        }),
      );
      return target.file_id!;
    },
  };
}
