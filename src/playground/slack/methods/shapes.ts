import { APP_ID, BOT_USER, type Channel, type Message, TEAM_ID } from '../workspace.js';

/** A channel as conversations.info, .create, .list and the rest return it (fields as in Slack's samples). */
export function channelJson(c: Channel): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    is_channel: !c.is_private && !c.is_im,
    is_group: c.is_private,
    is_im: c.is_im,
    created: c.created,
    is_archived: c.is_archived,
    is_general: c.name === 'general',
    unlinked: 0,
    name_normalized: c.name,
    is_shared: false,
    creator: c.creator,
    is_ext_shared: false,
    is_org_shared: false,
    shared_team_ids: [TEAM_ID],
    pending_shared: [],
    pending_connected_team_ids: [],
    is_pending_ext_shared: false,
    is_member: c.members.has(BOT_USER),
    is_private: c.is_private,
    is_mpim: false,
    topic: { value: c.topic, creator: c.topic ? BOT_USER : '', last_set: 0 },
    purpose: { value: '', creator: '', last_set: 0 },
    previous_names: [],
    context_team_id: TEAM_ID,
    updated: Date.now(),
  };
}

/** A message as conversations.history and .replies return it, with its thread's counts when it has replies. */
export function messageJson(channel: Channel, m: Message, withMetadata: boolean): Record<string, unknown> {
  const replies = channel.messages.filter((r) => r.thread_ts === m.ts && r.ts !== m.ts);
  return {
    type: 'message',
    user: m.user,
    text: m.text,
    ts: m.ts,
    team: TEAM_ID,
    ...(m.bot_id && { bot_id: m.bot_id, app_id: APP_ID }),
    ...(m.blocks !== undefined && { blocks: m.blocks }),
    ...(m.thread_ts && { thread_ts: m.thread_ts }),
    ...(replies.length && {
      reply_count: replies.length,
      reply_users_count: new Set(replies.map((r) => r.user)).size,
      latest_reply: replies[replies.length - 1]!.ts,
    }),
    ...(m.edited && { edited: m.edited }),
    ...(m.reactions?.length && {
      reactions: m.reactions.map((r) => ({ name: r.name, users: [...r.users], count: r.users.length })),
    }),
    ...(withMetadata && m.metadata !== undefined && { metadata: m.metadata }),
  };
}
