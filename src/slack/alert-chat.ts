import type { WebClient } from '@slack/web-api';
import type { AlertChat } from '../alerts/ports.js';
import { IMPORTANCE, type Importance } from '../incident/importance.js';
import type { Policy } from '../incident/policy.js';
import { renderAlertCard, renderAlertDigest } from './alert-blocks.js';
import type { SlackMessage } from './block-kit.js';
import { call, findKeyed, keyMetadata, toChatFailure } from './chat.js';
import type { Pacer } from './pacer.js';

export interface AlertChatDeps {
  /** The incidents channel, by ID or name. */
  readonly channel: string;
  /** Finds a channel by name (the `Chat` port's look-up), so every post counts against the channel's one allowance. */
  readonly findChannel: (name: string) => Promise<{ id: string } | undefined>;
  readonly policy: Policy;
  readonly pacer: Pacer;
}

const CHANNEL_ID = /^[CG][A-Z0-9]{8,}$/;

/**
 * The `AlertChat` port: alert cards and the storm digest in the incidents
 * channel, paced with everything else the bot sends. A post carries its key,
 * and a retry after an unsure attempt looks for it before posting again.
 */
export function createAlertChat(client: WebClient, deps: AlertChatDeps): AlertChat {
  let resolved: Promise<string> | undefined;
  const channelId = (): Promise<string> => {
    if (CHANNEL_ID.test(deps.channel)) return Promise.resolve(deps.channel);
    resolved ??= deps.findChannel(deps.channel.replace(/^#/, '')).then((found) => {
      if (!found) throw toChatFailure(new Error('channel_not_found'));
      return found.id;
    });
    resolved.catch(() => {
      resolved = undefined;
    });
    return resolved;
  };

  async function post(message: SlackMessage, once: { key: string; retry: boolean }, level: Importance) {
    return deps.pacer.withImportance(level, async () => {
      const channel = await channelId();
      if (once.retry) {
        const found = await findKeyed(client, channel, once.key);
        if (found) return found;
      }
      const send = () =>
        client.chat.postMessage({
          channel,
          ...message,
          unfurl_links: false,
          unfurl_media: false,
          metadata: keyMetadata(once.key),
        });
      try {
        const res = await send();
        return { channel: res.channel!, ts: res.ts! };
      } catch (err) {
        const failure = toChatFailure(err);
        if (failure.code !== 'not_in_channel') throw failure;
        await call(() => client.conversations.join({ channel }));
        const res = await call(send);
        return { channel: res.channel!, ts: res.ts! };
      }
    });
  }

  const edit = (channel: string, ts: string, message: SlackMessage, level: Importance) =>
    deps.pacer.withImportance(level, () =>
      call(async () => void (await client.chat.update({ channel, ts, ...message }))),
    );

  return {
    postCard: (group, once) => post(renderAlertCard(group, deps.policy), once, IMPORTANCE.normal),
    editCard: (channel, ts, group) => edit(channel, ts, renderAlertCard(group, deps.policy), IMPORTANCE.background),
    postDigest: (digest, once) => post(renderAlertDigest(digest, deps.policy), once, IMPORTANCE.normal),
    editDigest: (channel, ts, digest) => edit(channel, ts, renderAlertDigest(digest, deps.policy), IMPORTANCE.normal),
  };
}
