/**
 * The Slack client part of the composition root: `main.ts` calls this and
 * nothing else does.
 */

import { WebClient } from '@slack/web-api';
import type { Config } from './config.js';
import { clientOptions } from './slack/app.js';
import { createSlackChat } from './slack/chat.js';
import { createSlackDirectory } from './slack/directory.js';
import { namesFrom } from './slack/names.js';
import { createPacer, type Pacer, unpaced } from './slack/pacer.js';
import { PER_CHANNEL, slackLimit } from './slack/rate-limits.js';

function pacerFor(pacing: Config['slack']['pacing'], speedup = 1): Pacer {
  if (pacing === 'off') return unpaced();
  return createPacer({ limitOf: (method) => slackLimit(method, speedup), perChannel: PER_CHANNEL });
}

/**
 * One Web API client, paced by Slack's rate limits (`speedup` runs them faster, to match a fake Slack whose
 * clock does), the bot's own user ID (asked of Slack once, unless configured) and the `Chat` over them.
 */
export function wireSlackClient(config: Config, speedup?: number) {
  const pacer = pacerFor(config.slack.pacing, speedup);
  const web = new WebClient(config.slack.botToken, clientOptions(config.slack.apiUrl, pacer));
  let botUser: Promise<string | undefined> | undefined;
  const botUserId = () =>
    (botUser ??= config.slack.botUserId
      ? Promise.resolve(config.slack.botUserId)
      : web.auth.test().then(
          (r) => r.user_id,
          () => (botUser = undefined),
        ));
  // One cache of display names (the directory's) for every message that shows people, capture and reports.
  const directory = createSlackDirectory(web);
  const names = namesFrom((id) => directory.displayName(id));
  const chat = createSlackChat(web, config.policy, botUserId, pacer, names);
  return { pacer, web, botUserId, chat, names, directory };
}
