import type { WebClient } from '@slack/web-api';
import type { RunbookChat } from '../runbook/run-ports.js';
import { call, findKeyed, keyMetadata } from './chat.js';
import { isGroupId } from './mentions.js';
import { createNames, type NamesFor } from './names.js';
import { renderRun } from './runbook-blocks.js';

/** Who may approve runbook steps, as the policy says. */
export interface Approvals {
  readonly approvers: readonly string[];
  readonly requireApprover: boolean;
}

/**
 * The `RunbookChat` port on Slack: run cards are posted once (a retry finds its earlier post) and edited in place.
 * People are shown by display name; an approval card pings those who can approve.
 */
export function createRunbookChat(
  client: WebClient,
  approvals: Approvals = { approvers: [], requireApprover: false },
  namesFor: NamesFor = createNames(client),
): RunbookChat {
  const render: (notice: Parameters<RunbookChat['post']>[1]) => Promise<ReturnType<typeof renderRun>> = async (
    notice,
  ) => renderRun(notice, { ...approvals, names: await namesFor(notice) });
  return {
    async post(channel, notice, once) {
      if (once?.retry) {
        const found = await findKeyed(client, channel, once.key);
        if (found) return found.ts;
      }
      const message = await render(notice);
      const res = await call(() =>
        client.chat.postMessage({
          channel,
          ...message,
          unfurl_links: false,
          unfurl_media: false,
          ...(once && { metadata: keyMetadata(once.key) }),
        }),
      );
      return res.ts!;
    },
    edit: async (channel, ts, notice) => {
      const message = await render(notice);
      await call(async () => void (await client.chat.update({ channel, ts, ...message })));
    },
    members: async (id) =>
      isGroupId(id) ? call(async () => (await client.usergroups.users.list({ usergroup: id })).users ?? []) : [id],
  };
}
