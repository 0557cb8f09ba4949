import type { WebClient } from '@slack/web-api';
import { call } from './chat-failure.js';
import { cached } from './directory.js';
import { type Names, plainText, userIdsIn } from './mentions.js';

/**
 * Display names for rendering: every user a value mentions, looked up with
 * `users.info` once an hour. A look-up that fails shows the person's ID, so a
 * message is never held back for a name.
 */
export function createNames(client: WebClient): NamesFor {
  return namesFrom(
    cached(async (id) => {
      const user = (await call(() => client.users.info({ user: id }))).user;
      return user?.profile?.display_name || user?.real_name || user?.name || id;
    }),
  );
}

/**
 * Chat text as the plain text the timeline keeps: mentions become `@name` (looked up with
 * `name`), groups and channels their labels, entities undone.
 */
export async function plainChatText(text: string, name: (userId: string) => Promise<string>): Promise<string> {
  const ids = [...userIdsIn(text)];
  const names = new Map(await Promise.all(ids.map(async (id) => [id, await name(id).catch(() => id)] as const)));
  return plainText(text, names);
}

/** Resolves the names a value needs. */
export type NamesFor = (value: unknown) => Promise<Names>;

/** Names from a look-up of one person (the `Directory`'s cached `displayName`, shared by every adapter). */
export function namesFrom(name: (userId: string) => Promise<string>): NamesFor {
  return async (value) => {
    const ids = [...userIdsIn(value)];
    const found = new Map(await Promise.all(ids.map(async (id) => [id, await name(id).catch(() => id)] as const)));
    return { of: (id) => found.get(id) ?? id };
  };
}
