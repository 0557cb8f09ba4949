import { BOT_ID, BOT_USER, TEAM_ID } from '../workspace.js';
import type { MethodFamily } from './method.js';

/** auth.test: who the token belongs to (the bot, in this workspace); the server has checked the token. */
export function createAuthMethods(): MethodFamily {
  return {
    'auth.test': () => ({
      ok: true,
      url: 'https://firebreak-test.slack.com/',
      team: 'Firebreak Test',
      user: 'firebreak',
      team_id: TEAM_ID,
      user_id: BOT_USER,
      bot_id: BOT_ID,
      is_enterprise_install: false,
    }),
  };
}
