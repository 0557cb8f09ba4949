import type { WebClient } from '@slack/web-api';
import type { RunbookChat } from '../runbook/ports.js';
import { call } from './chat.js';
import { renderRun } from './runbook-blocks.js';

/** The `RunbookChat` port on Slack: run cards are posted once and edited in place. */
export function createRunbookChat(client: WebClient): RunbookChat {
  return {
    post: (channel, notice) =>
      call(async () => (await client.chat.postMessage({ channel, ...renderRun(notice), unfurl_links: false })).ts!),
    edit: (channel, ts, notice) =>
      call(async () => void (await client.chat.update({ channel, ts, ...renderRun(notice) }))),
    members: (group) => call(async () => (await client.usergroups.users.list({ usergroup: group })).users ?? []),
  };
}
