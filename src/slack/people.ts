import type { WebClient } from '@slack/web-api';
import type { People } from '../incident/paging-ports.js';
import { call } from './chat-failure.js';
import { cached } from './directory.js';

/**
 * The `People` port on Slack: a user's email (`users.info`) and a user by
 * email (`users.lookupByEmail`), both needing `users:read.email`. Answers are
 * cached for an hour; "no such user" is an answer, not a failure.
 */
export function createSlackPeople(client: WebClient): People {
  const email = cached(async (id) => (await call(() => client.users.info({ user: id }))).user?.profile?.email);
  const byEmail = cached(async (address) => {
    try {
      return (await call(() => client.users.lookupByEmail({ email: address }))).user?.id;
    } catch (err) {
      if ((err as { code?: string }).code === 'users_not_found') return undefined;
      throw err;
    }
  });
  return {
    emailOf: (userId) => email(userId),
    userIdByEmail: (address) => byEmail(address.toLowerCase()),
  };
}
