import type { HttpAnswer } from './http.js';
import type { Validation } from './methods/method.js';
import { readReply } from './sinks.js';
import { BOT_ID, BOT_USER, type SlackWorkspace } from './workspace.js';

/** A message only one person sees, in one channel: a command's reply, or a button's answer. */
export interface Ephemeral {
  readonly id: string;
  readonly channel: string;
  readonly user: string;
  readonly ts: string;
  text: string;
  blocks?: unknown;
}

/** Whom a `response_url` answers: the person who acted, where, and the message they acted on, if any. */
export interface ReplyTarget {
  readonly channel: string;
  readonly user: string;
  /** The message whose button was clicked: a channel message by ts, or an ephemeral by ID. */
  readonly source?: { readonly ts: string } | { readonly ephemeral: string };
}

/** Slack lets a `response_url` be used five times within thirty minutes. */
const USES = 5;
const LIFETIME_MS = 30 * 60_000;

/**
 * The `response_url`s the playground hands out with each command and click,
 * and what arrives at them, applied as Slack applies it: an ephemeral reply
 * to the person (the default), a message in the channel (`in_channel`), or
 * the clicked message replaced or deleted (`replace_original`,
 * `delete_original`). Blocks are checked as chat.postMessage checks them.
 */
export function createReplies(workspace: SlackWorkspace, validation: Validation) {
  const ephemerals: Ephemeral[] = [];
  const targets = new Map<string, ReplyTarget & { issued: number; uses: number }>();
  let seq = 0;

  const replaceOriginal = (target: ReplyTarget, text: string, blocks: unknown): boolean => {
    const source = target.source;
    if (source && 'ephemeral' in source) {
      const e = ephemerals.find((x) => x.id === source.ephemeral);
      if (!e) return false;
      e.text = text;
      e.blocks = blocks;
      return true;
    }
    const message = source && workspace.messageAt(target.channel, source.ts);
    if (!message) return false;
    message.text = text;
    message.blocks = blocks;
    return true;
  };

  const deleteOriginal = (target: ReplyTarget): void => {
    const source = target.source;
    if (source && 'ephemeral' in source) {
      const at = ephemerals.findIndex((x) => x.id === source.ephemeral);
      if (at >= 0) ephemerals.splice(at, 1);
      return;
    }
    const channel = workspace.channels.get(target.channel);
    if (channel && source) channel.messages = channel.messages.filter((m) => m.ts !== source.ts);
  };

  return {
    /** Every ephemeral message, oldest first. */
    ephemerals,

    /** A fresh `response_url` under `base` that answers `target`. */
    urlFor(base: string, target: ReplyTarget): string {
      const key = `r${++seq}${Math.random().toString(36).slice(2, 8)}`;
      targets.set(key, { ...target, issued: Date.now(), uses: 0 });
      return `${base}/respond/${key}`;
    },

    /** Applies what the app posted to the `response_url` with this key. */
    receive(key: string, raw: string): HttpAnswer {
      const target = targets.get(key);
      if (!target || Date.now() - target.issued > LIFETIME_MS)
        return { status: 404, body: { ok: false, error: 'expired_url' } };
      if (++target.uses > USES) return { status: 404, body: { ok: false, error: 'used_url' } };
      const read = readReply(raw, validation);
      if ('refused' in read) return read.refused;
      const body = read.body;
      const text = typeof body.text === 'string' ? body.text : '';
      if (body.delete_original === true || body.delete_original === 'true') {
        deleteOriginal(target);
        return { status: 200, body: { ok: true } };
      }
      if (!text && body.blocks === undefined) return { status: 400, body: { ok: false, error: 'no_text' } };
      const replace = body.replace_original === true || body.replace_original === 'true';
      if (replace && replaceOriginal(target, text, body.blocks)) return { status: 200, body: { ok: true } };
      const channel = workspace.channels.get(target.channel);
      if (body.response_type === 'in_channel' && channel) {
        const message = { ts: workspace.newTs(), text, user: BOT_USER, bot_id: BOT_ID, receivedAt: Date.now() };
        workspace.append(channel, body.blocks === undefined ? message : { ...message, blocks: body.blocks });
      } else {
        const id = `E${++seq}`;
        ephemerals.push({
          id,
          channel: target.channel,
          user: target.user,
          ts: workspace.newTs(),
          text,
          blocks: body.blocks,
        });
      }
      return { status: 200, body: { ok: true } };
    },
  };
}

/** The `response_url`s and ephemeral messages of one playground. */
export type Replies = ReturnType<typeof createReplies>;
