import { type MethodDeps, type MethodFamily, slackError } from './method.js';

/** A message ts as Slack writes it: seconds, a dot, a sequence. */
const MESSAGE_TS = /^\d+\.\d+$/;

/** pins.add: pins a message that exists in the channel, once (reactions.* would join this family). */
export function createPinMethods({ workspace }: MethodDeps): MethodFamily {
  return {
    'pins.add': (p) => {
      const target = workspace.channelFor(p.channel, false);
      if (!target) return slackError('channel_not_found');
      if (p.timestamp === undefined || p.timestamp === '') return slackError('no_item_specified');
      if (!MESSAGE_TS.test(String(p.timestamp))) return slackError('bad_timestamp');
      if (!target.messages.some((m) => m.ts === p.timestamp)) return slackError('message_not_found');
      if (target.pins.has(String(p.timestamp))) return slackError('already_pinned');
      target.pins.add(String(p.timestamp));
      return { ok: true };
    },
  };
}
