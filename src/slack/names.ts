import type { WebClient } from '@slack/web-api';
import { call } from './chat-failure.js';
import { cached } from './directory.js';
import { type Names, userIdsIn } from './mentions.js';

/**
 * Display names for rendering: every user a value mentions, looked up with
 * `users.info` once an hour. A look-up that fails shows the person's ID, so a
 * message is never held back for a name.
 */
export function createNames(client: WebClient): (value: unknown) => Promise<Names> {
  const name = cached(async (id) => {
    const user = (await call(() => client.users.info({ user: id }))).user;
    return user?.profile?.display_name || user?.real_name || user?.name || id;
  });
  return async (value) => {
    const ids = [...userIdsIn(value)];
    const found = new Map(await Promise.all(ids.map(async (id) => [id, await name(id).catch(() => id)] as const)));
    return { of: (id) => found.get(id) ?? id };
  };
}
