import type { WebClient } from '@slack/web-api';
import type { RunbookChat } from '../runbook/run-ports.js';
import { call, findKeyed, keyMetadata } from './chat.js';
import { renderRun } from './runbook-blocks.js';

/** The `RunbookChat` port on Slack: run cards are posted once (a retry finds its earlier post) and edited in place. */
export function createRunbookChat(client: WebClient): RunbookChat {
  return {
    async post(channel, notice, once) {
      if (once?.retry) {
        const found = await findKeyed(client, channel, once.key);
        if (found) return found.ts;
      }
      const res = await call(() =>
        client.chat.postMessage({
          channel,
          ...renderRun(notice),
          unfurl_links: false,
          unfurl_media: false,
          ...(once && { metadata: keyMetadata(once.key) }),
        }),
      );
      return res.ts!;
    },
    edit: (channel, ts, notice) =>
      call(async () => void (await client.chat.update({ channel, ts, ...renderRun(notice) }))),
    members: (group) => call(async () => (await client.usergroups.users.list({ usergroup: group })).users ?? []),
  };
}
