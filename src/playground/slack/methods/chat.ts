import { APP_ID, BOT_ID, BOT_USER, type Channel, type Message, TEAM_ID } from '../workspace.js';
import {
  type Answer,
  jsonParam,
  type MethodDeps,
  type MethodFamily,
  type Params,
  problemMessages,
  slackError,
} from './method.js';

/** Slack refuses message text longer than this. */
const MAX_TEXT = 40_000;

/**
 * chat.postMessage, chat.postEphemeral, chat.update and chat.getPermalink:
 * the bot posts only where it is a member, a message needs text or blocks,
 * blocks must pass `validation`, and the bot edits only its own messages.
 */
export function createChatMethods({ workspace, validation }: MethodDeps): MethodFamily {
  /** Slack's `invalid_blocks` answer when `blocks` were sent and are not valid. */
  const blockError = (blocks: unknown): Answer | undefined => {
    if (blocks === undefined) return undefined;
    const problems = validation.messageBlocks(blocks);
    if (!problems.length) return undefined;
    return slackError('invalid_blocks', { errors: problems, response_metadata: problemMessages(problems) });
  };

  /** What chat.postMessage and chat.postEphemeral both refuse: no channel, not a member, nothing valid to say. */
  const postError = (target: Channel | undefined, p: Params, text: string): Answer | undefined => {
    if (!target) return slackError('channel_not_found');
    if (target.is_archived) return slackError('is_archived');
    if (!target.members.has(BOT_USER)) return slackError('not_in_channel');
    if (!text && p.blocks === undefined) return slackError('no_text');
    if (text.length > MAX_TEXT) return slackError('msg_too_long');
    return blockError(p.blocks);
  };

  const textOf = (p: Params) => (typeof p.text === 'string' ? p.text : '');
  const dmWith = (user: string) => (workspace.users.has(user) ? workspace.dm(user) : undefined);

  return {
    'chat.postMessage': (p) => {
      // A user ID posts to the bot's DM with that person; there is none with someone not in the workspace.
      const toUser = typeof p.channel === 'string' && /^[UW]/.test(p.channel);
      const target = toUser ? dmWith(p.channel as string) : workspace.channelFor(p.channel, true);
      const text = textOf(p);
      const refused = postError(target, p, text);
      if (refused) return refused;
      const metadata = jsonParam(p.metadata);
      if (p.metadata !== undefined && !validMetadata(metadata)) return slackError('invalid_metadata_format');
      const message: Message = {
        ts: workspace.newTs(),
        receivedAt: Date.now(),
        text,
        user: BOT_USER,
        bot_id: BOT_ID,
        ...(p.blocks !== undefined && { blocks: p.blocks }),
        ...(typeof p.thread_ts === 'string' && { thread_ts: p.thread_ts }),
        ...(metadata !== undefined && { metadata }),
      };
      workspace.append(target!, message);
      return {
        ok: true,
        channel: target!.id,
        ts: message.ts,
        message: { ...botMessage(message), subtype: 'bot_message', ts: message.ts },
      };
    },

    'chat.postEphemeral': (p) => {
      const target = workspace.channelFor(p.channel, true);
      const refused = postError(target, p, textOf(p));
      if (refused) return refused;
      if (typeof p.user !== 'string' || !target!.members.has(p.user)) return slackError('user_not_in_channel');
      return { ok: true, message_ts: workspace.newTs() };
    },

    'chat.update': (p) => {
      const target = workspace.channelFor(p.channel, false);
      if (!target) return slackError('channel_not_found');
      if (target.is_archived) return slackError('is_archived');
      const message = target.messages.find((m) => m.ts === p.ts);
      if (!message) return slackError('message_not_found');
      if (message.user !== BOT_USER) return slackError('cant_update_message');
      if (typeof p.text !== 'string' && p.blocks === undefined && p.attachments === undefined)
        return slackError('no_text');
      if (typeof p.text === 'string' && p.text.length > MAX_TEXT) return slackError('msg_too_long');
      const refused = blockError(p.blocks);
      if (refused) return refused;
      if (p.blocks !== undefined) message.blocks = p.blocks;
      if (typeof p.text === 'string') message.text = p.text;
      return { ok: true, channel: target.id, ts: message.ts, text: message.text, message: botMessage(message) };
    },

    'chat.getPermalink': (p) => {
      const target = workspace.channelFor(p.channel, false);
      if (!target) return slackError('channel_not_found');
      if (!target.messages.some((m) => m.ts === p.message_ts)) return slackError('message_not_found');
      const id = String(p.message_ts).replace('.', '');
      return {
        ok: true,
        channel: target.id,
        permalink: `https://firebreak-test.slack.com/archives/${target.id}/p${id}`,
      };
    },
  };
}

/** The bot's message as chat.postMessage and chat.update echo it. */
function botMessage(m: Message): Record<string, unknown> {
  return {
    type: 'message',
    text: m.text,
    user: BOT_USER,
    bot_id: BOT_ID,
    app_id: APP_ID,
    team: TEAM_ID,
    ...(m.blocks !== undefined && { blocks: m.blocks }),
  };
}

/** Message metadata as Slack accepts it: an `event_type` string and an `event_payload` object. */
function validMetadata(md: unknown): boolean {
  const { event_type, event_payload } = (md ?? {}) as { event_type?: unknown; event_payload?: unknown };
  return typeof event_type === 'string' && !!event_payload && typeof event_payload === 'object';
}
