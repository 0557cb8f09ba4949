import type { App } from '@slack/bolt';
import type { Scribe } from '../incident/scribe.js';
import type { Logger } from '../log.js';
import type { Limit } from './limiter.js';
import { tsToDate } from './mentions.js';

interface MessageLike {
  user?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
  bot_id?: string;
  subtype?: string;
}

const source = (m: MessageLike) => ({
  userId: m.user ?? '',
  text: m.text ?? '',
  threadTs: m.thread_ts && m.thread_ts !== m.ts ? m.thread_ts : null,
  botId: m.bot_id ?? null,
  at: tsToDate(m.ts ?? '0'),
});

/**
 * Events the scribe captures from war rooms. Bolt acks each event before this
 * runs; repeats (Slack retries) are harmless because every capture is keyed
 * on the message, and each reason (a reactor, a pin, the scribe) is a set.
 */
export function registerEvents(
  app: App,
  deps: { scribe: Scribe; log: Logger; limit: Limit; plain: (text: string) => Promise<string> },
): void {
  const { scribe, log } = deps;
  /** A message as the timeline keeps it: its text plain (names, no markup). */
  const plainSource = async (m: MessageLike) => ({ ...source(m), text: await deps.plain(m.text ?? '') });
  const guard = (what: string, work: () => Promise<unknown>) =>
    deps
      .limit(work)
      .catch((err: unknown) =>
        log.warn({ err, event: what }, 'capture failed; the message can be captured again with the capture emoji'),
      );

  app.event('reaction_added', async ({ event }) => {
    if (event.item.type !== 'message') return;
    await guard('reaction_added', () =>
      scribe.reactionAdded(event.reaction, event.user, { channel: event.item.channel, ts: event.item.ts }),
    );
  });

  app.event('reaction_removed', async ({ event }) => {
    if (event.item.type !== 'message') return;
    await guard('reaction_removed', () =>
      scribe.reactionRemoved(event.reaction, event.user, { channel: event.item.channel, ts: event.item.ts }),
    );
  });

  app.event('pin_added', async ({ event }) => {
    const { item } = event;
    const message = item.message;
    // Bolt types `item.channel` as always there; older payloads name the channel only at the top.
    const channel = item.channel ?? event.channel_id;
    if (item.type !== 'message' || !channel || !message?.ts) return;
    await guard('pin_added', async () =>
      scribe.pinned({ channel, ts: message.ts }, message.user ? await plainSource(message) : undefined),
    );
  });

  app.event('message', async ({ event: e }) => {
    if (e.subtype === 'message_changed') {
      const message: MessageLike = e.message;
      if (!message.ts) return;
      const ts = message.ts;
      await guard('message_changed', async () =>
        scribe.edited({ channel: e.channel, ts }, await deps.plain(message.text ?? ''), tsToDate(e.event_ts ?? ts)),
      );
    } else if (e.subtype === 'message_deleted') {
      if (!e.deleted_ts) return;
      await guard('message_deleted', () =>
        scribe.deleted({ channel: e.channel, ts: e.deleted_ts }, tsToDate(e.event_ts ?? e.deleted_ts)),
      );
    } else if ((!e.subtype || e.subtype === 'thread_broadcast') && e.ts && e.user) {
      await guard('message', async () => scribe.message({ channel: e.channel, ts: e.ts }, await plainSource(e)));
    }
  });
}
