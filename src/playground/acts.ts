import { messageJson } from './slack/methods/shapes.js';
import { blockAction, eventCallback, slashCommand, viewSubmission } from './slack/payloads.js';
import type { Replies } from './slack/replies.js';
import { type Delivered, postSigned } from './slack/sign.js';
import { BOT_USER, type Channel, type Message, type SlackWorkspace, TEAM_ID } from './slack/workspace.js';
import { findElement, type RawValues, viewValues } from './view-state.js';

/** What a person did in the page was refused before it reached the bot (a bad channel, a message gone). */
export class ActRefused extends Error {}

/** The outcome of submitting a view: closed, or still open with errors per block. */
export type Submitted = { readonly closed: true } | { readonly closed: false; readonly errors: Record<string, string> };

/**
 * What people do in the playground's page, sent to the bot exactly as Slack
 * sends it: signed slash commands and `block_actions` / `view_submission`
 * forms, and Events API callbacks for messages, reactions and pins (only from
 * channels the bot is in, as Slack subscribes it). The workspace changes first,
 * as in Slack, then the bot hears of it.
 */
export function createActs(deps: {
  readonly workspace: SlackWorkspace;
  readonly replies: Replies;
  /** Where the bot's `/slack/events` is, once it listens. */
  readonly botUrl: () => string;
  readonly signingSecret: string;
  /** The Slack front's base URL, for `response_url`s. */
  readonly slackUrl: () => string;
}) {
  const { workspace, replies } = deps;
  const post = (body: string, type: string): Promise<Delivered> =>
    postSigned(`${deps.botUrl()}/slack/events`, deps.signingSecret, body, type);
  const interact = (payload: Record<string, unknown>) =>
    post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded');
  const event = async (channel: Channel, e: Record<string, unknown>) => {
    if (channel.members.has(BOT_USER)) await post(JSON.stringify(eventCallback(e)), 'application/json');
  };
  const person = (id: string) => {
    const user = workspace.users.get(id);
    if (!user || id === BOT_USER) throw new ActRefused(`no person ${id} in the workspace`);
    return user;
  };
  const channelOf = (id: string) => {
    const channel = workspace.channels.get(id);
    if (!channel) throw new ActRefused(`no channel ${id}`);
    return channel;
  };
  const messageOf = (channel: Channel, ts: string): Message => {
    const message = workspace.messageAt(channel.id, ts);
    if (!message || !channel.messages.includes(message)) throw new ActRefused(`no message ${ts} in #${channel.name}`);
    return message;
  };
  /** Slack answers a command the app did not ack in time, or refused, with an error only the sender sees. */
  const showAck = (channel: string, user: string, command: string, sent: Delivered) => {
    const url = replies.urlFor(deps.slackUrl(), { channel, user });
    const key = url.slice(url.lastIndexOf('/') + 1);
    if (sent.status !== 200) {
      replies.receive(key, JSON.stringify({ text: `${command} failed with the error "dispatch_failed"` }));
      return;
    }
    if (!sent.body.trim()) return;
    let body: unknown;
    try {
      body = JSON.parse(sent.body);
    } catch {
      body = { text: sent.body };
    }
    replies.receive(key, JSON.stringify(body));
  };

  return {
    /** A slash command typed in a channel: `/incident declare P1 …`. */
    async command(userId: string, channelId: string, typed: string): Promise<void> {
      const user = person(userId);
      const channel = channelOf(channelId);
      const command = typed.trim().split(/\s+/)[0] ?? '';
      if (!/^\/[a-z0-9_-]+$/.test(command)) throw new ActRefused('a command starts with / and a name, as /incident');
      // Slack runs a command in a public channel the person only previews; here they join it, as a click on Join would.
      if (!channel.is_im) channel.members.add(user.id);
      const fields = slashCommand({
        command,
        text: typed.trim().slice(command.length).trim(),
        user: user.id,
        userName: user.name,
        channel: channel.id,
        channelName: channel.is_im ? 'directmessage' : channel.name,
        responseUrl: replies.urlFor(deps.slackUrl(), { channel: channel.id, user: user.id }),
        triggerId: workspace.issueTrigger(user.id),
      });
      const sent = await post(new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded');
      showAck(channel.id, user.id, command, sent);
    },

    /** A plain message (or a reply in a thread); the person joins the channel first if need be. */
    async say(userId: string, channelId: string, text: string, threadTs?: string): Promise<string> {
      const user = person(userId);
      const channel = channelOf(channelId);
      if (!text.trim()) throw new ActRefused('type a message first');
      if (threadTs) messageOf(channel, threadTs);
      channel.members.add(user.id);
      const ts = workspace.say(channel.id, user.id, text, threadTs);
      await event(channel, {
        type: 'message',
        channel: channel.id,
        user: user.id,
        text,
        ts,
        team: TEAM_ID,
        channel_type: channel.is_im ? 'im' : 'channel',
        ...(threadTs && { thread_ts: threadTs }),
      });
      return ts;
    },

    /** A click on a button or a choice in a select of a message, or of an ephemeral message (`ephemeral` ID). */
    async click(
      userId: string,
      at: { channel: string; ts?: string; ephemeral?: string },
      target: { blockId: string; actionId: string; option?: string },
    ): Promise<void> {
      const user = person(userId);
      const channel = channelOf(at.channel);
      const shown = at.ephemeral
        ? replies.ephemerals.find((e) => e.id === at.ephemeral && e.user === user.id)
        : undefined;
      if (at.ephemeral && !shown) throw new ActRefused('that message is gone');
      const message = shown ? undefined : messageOf(channel, at.ts ?? '');
      const blocks = shown ? shown.blocks : message!.blocks;
      const element = findElement(blocks, target.blockId, target.actionId, target.option);
      if (!element) throw new ActRefused('that button is no longer on the message');
      const ts = shown ? shown.ts : message!.ts;
      const source = shown ? { ephemeral: shown.id } : { ts };
      await interact(
        blockAction({
          actionId: target.actionId,
          user: user.id,
          userName: user.name,
          channel: channel.id,
          channelName: channel.name,
          messageTs: ts,
          message: message
            ? messageJson(channel, message, false)
            : { type: 'message', ts, text: shown!.text, user: BOT_USER, blocks: shown!.blocks ?? [] },
          responseUrl: replies.urlFor(deps.slackUrl(), { channel: channel.id, user: user.id, source }),
          triggerId: workspace.issueTrigger(user.id),
          blockId: target.blockId,
          action: element,
          ephemeral: !!shown,
        }),
      );
    },

    /** Adds or takes back a reaction (`name` without colons). */
    async react(userId: string, channelId: string, ts: string, name: string, on: boolean): Promise<void> {
      const user = person(userId);
      const channel = channelOf(channelId);
      const message = messageOf(channel, ts);
      if (!/^[a-z0-9_+-]+$/.test(name)) throw new ActRefused(`"${name}" is not an emoji name`);
      if (!workspace.react(message, name, user.id, on)) return;
      await event(channel, {
        type: on ? 'reaction_added' : 'reaction_removed',
        user: user.id,
        reaction: name,
        item: { type: 'message', channel: channel.id, ts },
        item_user: message.user,
      });
    },

    /** Pins a message to its channel. */
    async pin(userId: string, channelId: string, ts: string): Promise<void> {
      const user = person(userId);
      const channel = channelOf(channelId);
      const message = messageOf(channel, ts);
      if (channel.pins.has(ts)) throw new ActRefused('that message is already pinned');
      channel.pins.add(ts);
      await event(channel, {
        type: 'pin_added',
        user: user.id,
        channel_id: channel.id,
        item: {
          type: 'message',
          created: Math.floor(Date.now() / 1000),
          created_by: user.id,
          channel: channel.id,
          message: { type: 'message', text: message.text, user: message.user, ts, permalink: '' },
        },
        item_user: message.user,
        pin_count: channel.pins.size,
        pinned_info: { channel: channel.id, pinned_by: user.id, pinned_ts: Math.floor(Date.now() / 1000) },
      });
    },

    /** Submits the person's open view with these values; the bot's answer closes it, shows errors, or replaces it. */
    async submit(userId: string, viewId: string, raw: RawValues): Promise<Submitted> {
      const user = person(userId);
      const stack = workspace.modals.get(user.id) ?? [];
      const view = stack.find((v) => v.id === viewId);
      if (!view) throw new ActRefused('that form is closed');
      const trigger = workspace.issueTrigger(user.id);
      const sent = await interact(viewSubmission(view, viewValues(view, raw), user.id, trigger, user.name));
      if (sent.status !== 200) return { closed: false, errors: { '': 'We had some trouble connecting. Try again?' } };
      const answer = (sent.body.trim() ? JSON.parse(sent.body) : {}) as {
        response_action?: string;
        errors?: Record<string, string>;
        view?: Record<string, unknown>;
      };
      const rest = stack.filter((v) => v !== view);
      switch (answer.response_action) {
        case 'errors':
          return { closed: false, errors: answer.errors ?? {} };
        case 'clear':
          workspace.modals.delete(user.id);
          return { closed: true };
        // An update keeps the view's ID, as in Slack; a pushed view is a new one on top.
        case 'update':
          workspace.modals.set(
            user.id,
            stack.map((v) => (v === view ? { ...view, ...answer.view, id: view.id } : v)),
          );
          return { closed: false, errors: {} };
        case 'push':
          workspace.modals.set(user.id, [...stack, { ...answer.view, id: workspace.newId('V') }]);
          return { closed: false, errors: {} };
        default:
          workspace.modals.set(user.id, rest);
          return { closed: true };
      }
    },

    /** Closes the person's view without submitting it. */
    close(userId: string, viewId: string): void {
      const stack = workspace.modals.get(userId) ?? [];
      workspace.modals.set(
        userId,
        stack.filter((v) => v.id !== viewId),
      );
    },
  };
}

/** The acts of one playground. */
export type Acts = ReturnType<typeof createActs>;
