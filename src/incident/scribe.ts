import { UserError } from '../errors.js';
import type { Incident } from './incident.js';
import type { Policy } from './policy.js';
import type { Directory, IncidentStore, RecordStore } from './ports.js';
import type { Capture, CaptureReason, SourceMessage } from './record-items.js';

/** A message reference in a Slack event. */
export interface MessageRef {
  readonly channel: string;
  readonly ts: string;
}

export interface ScribeDeps {
  readonly store: IncidentStore;
  readonly recordStore: RecordStore;
  readonly directory: Directory;
  readonly policy: Policy;
}

/**
 * Capture of the war room onto the timeline: capture-emoji reactions, pins and
 * the scribe's own messages, each once per message, with the author's display
 * name and a permalink. Edits and deletions follow the entry.
 */
export function createScribe(deps: ScribeDeps) {
  const { store, recordStore, directory, policy } = deps;

  /** Capture keeps working after resolve: the post-incident discussion belongs to the record too. */
  const warRoom = (channel: string): Promise<Incident | undefined> => store.findByChannel(channel);

  async function capture(
    incident: Incident,
    ref: MessageRef,
    reason: CaptureReason,
    known?: SourceMessage,
  ): Promise<'added' | 'exists' | 'ignored'> {
    if (await recordStore.addReason(incident.id, ref.channel, ref.ts, reason)) return 'exists';
    const message = known ?? (await directory.fetchMessage(ref.channel, ref.ts));
    if (!message || message.botId) return 'ignored';
    const [authorName, permalink] = await Promise.all([
      directory.displayName(message.userId),
      directory.permalink(ref.channel, ref.ts),
    ]);
    const c: Capture = {
      channel: ref.channel,
      ts: ref.ts,
      threadTs: message.threadTs,
      userId: message.userId,
      authorName,
      text: message.text,
      permalink,
      at: message.at,
    };
    return recordStore.capture(incident.id, c, reason);
  }

  return {
    /** `reaction_added`: the capture emoji on a war-room message. */
    async reactionAdded(emoji: string, user: string, ref: MessageRef) {
      if (emoji.split('::')[0] !== policy.capture.emoji) return 'ignored' as const;
      const incident = await warRoom(ref.channel);
      return incident ? capture(incident, ref, { reactor: user }) : ('ignored' as const);
    },

    /** `reaction_removed`: the entry goes when its last reason does. */
    async reactionRemoved(emoji: string, user: string, ref: MessageRef) {
      if (emoji.split('::')[0] !== policy.capture.emoji) return 'ignored' as const;
      const incident = await warRoom(ref.channel);
      return incident ? recordStore.release(incident.id, ref.channel, ref.ts, user) : ('ignored' as const);
    },

    /** `pin_added`: the pinned message, which the event carries. */
    async pinned(ref: MessageRef, message?: SourceMessage) {
      const incident = await warRoom(ref.channel);
      return incident ? capture(incident, ref, { pinned: true }, message) : ('ignored' as const);
    },

    /** A new war-room message: captured when its author holds the scribe role. */
    async message(ref: MessageRef, message: SourceMessage) {
      if (!policy.capture.scribeMessages || message.botId) return 'ignored' as const;
      const incident = await warRoom(ref.channel);
      if (!incident || incident.roles.scribe !== message.userId) return 'ignored' as const;
      return capture(incident, ref, { scribe: true }, message);
    },

    /** `message_changed`: a captured message's entry follows the edit. */
    async edited(ref: MessageRef, text: string, at: Date) {
      const incident = await warRoom(ref.channel);
      return incident ? recordStore.edited(incident.id, ref.channel, ref.ts, text, at) : false;
    },

    /** `message_deleted`: a captured message's entry is marked deleted. */
    async deleted(ref: MessageRef, at: Date) {
      const incident = await warRoom(ref.channel);
      return incident ? recordStore.deleted(incident.id, ref.channel, ref.ts, at) : false;
    },
  };
}

export type Scribe = ReturnType<typeof createScribe>;

/** Reads `/incident started 14:05` (the viewer's local time today, or the day before) or an ISO time. */
export function parseStartedAt(text: string, now: Date, tzOffsetS: number): Date {
  const hm = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (hm) {
    const [h, m] = [Number(hm[1]), Number(hm[2])];
    if (h > 23 || m > 59) throw new UserError('usage', 'Give the time as HH:MM, e.g. `/incident started 14:05`.');
    const local = new Date(now.getTime() + tzOffsetS * 1000);
    let at = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), h, m) - tzOffsetS * 1000;
    if (at > now.getTime()) at -= 86_400_000;
    return new Date(at);
  }
  const iso = Date.parse(text);
  if (Number.isNaN(iso) || !/^\d{4}-\d{2}-\d{2}T/.test(text.trim()))
    throw new UserError(
      'usage',
      'Give the time as HH:MM in your time zone (`/incident started 14:05`) or as 2026-11-22T14:05Z.',
    );
  if (iso > now.getTime()) throw new UserError('usage', 'Impact cannot start in the future.');
  return new Date(iso);
}
