import { type MethodDeps, type MethodFamily, slackError } from './method.js';

/** pins.add: pins a message that exists in the channel, once (reactions.* would join this family). */
export function createPinMethods({ workspace }: MethodDeps): MethodFamily {
  return {
    'pins.add': (p) => {
      const target = workspace.channelFor(p.channel, false);
      if (!target) return slackError('channel_not_found');
      if (!target.messages.some((m) => m.ts === p.timestamp)) return slackError('message_not_found');
      if (target.pins.has(String(p.timestamp))) return slackError('already_pinned');
      target.pins.add(String(p.timestamp));
      return { ok: true };
    },
  };
}
