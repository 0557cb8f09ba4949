/** The workspace's team ID. */
export const TEAM_ID = 'T0FIREBRK1';
/** The bot's user ID: the author of everything the bot posts. */
export const BOT_USER = 'U0FIREBOT1';
/** The bot's bot ID, on its messages beside `BOT_USER`. */
export const BOT_ID = 'B0FIREBOT1';
/** The Slack app the bot belongs to. */
export const APP_ID = 'A0FIREAPP1';

/** A message as the workspace keeps it; `receivedAt` is when it arrived (ms since the epoch). */
export interface Message {
  ts: string;
  text: string;
  blocks?: unknown;
  user: string;
  bot_id?: string;
  thread_ts?: string;
  receivedAt?: number;
  metadata?: unknown;
  edited?: { user: string; ts: string };
  /** The IDs of the files shared with the message. */
  files?: string[];
  /** Reactions people added, as conversations.history shows them: a name and who reacted. */
  reactions?: { name: string; users: string[] }[];
}

/** A channel, a private channel or a DM (`is_im`, ID `D…`), with its members, messages in order and pins by ts. */
export interface Channel {
  id: string;
  name: string;
  created: number;
  creator: string;
  members: Set<string>;
  topic: string;
  messages: Message[];
  pins: Set<string>;
  is_private: boolean;
  is_im: boolean;
  /** Archived (by a person, in the test): Slack refuses to post, edit, invite or set a topic there (`is_archived`). */
  is_archived: boolean;
}

/** A person in the workspace. */
export interface User {
  id: string;
  name: string;
  real_name: string;
  tz: string;
  tz_offset: number;
  /** The address users.lookupByEmail finds them by (PagerDuty on-call matching). */
  email: string;
}

/** A file on its way in: bytes arrive at its upload URL, then files.completeUploadExternal shares it. */
export interface UploadedFile {
  filename: string;
  length: number;
  content?: string;
  title?: string;
  channel?: string;
  completed: boolean;
}

/** How long a trigger ID may open a view, as in Slack. */
const TRIGGER_LIFETIME_MS = 3000;
const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * The state of one Slack workspace: people, channels and DMs with their
 * messages and pins, user groups, uploaded files and trigger IDs. It knows
 * Slack's rules for names, IDs and timestamps, but nothing of HTTP or of the
 * Web API's answers; the method families in `methods/` read and change it.
 */
export class SlackWorkspace {
  /** Channels and DMs by ID, in the order they were made. */
  readonly channels = new Map<string, Channel>();
  /** People by user ID. */
  readonly users = new Map<string, User>();
  /** User group ID (`S…`) → member user IDs. */
  readonly usergroups = new Map<string, string[]>();
  /** Files by ID (`F…`), from the upload URL being handed out until they are shared. */
  readonly files = new Map<string, UploadedFile>();
  /** The views each person has open (the stack views.open starts and views.push grows), by user ID. */
  readonly modals = new Map<string, Record<string, unknown>[]>();
  private readonly triggers = new Map<string, number>();
  /** Who acted to get each trigger ID, so a view it opens is shown to them. */
  private readonly triggerOwners = new Map<string, string>();
  private readonly usedTriggers = new Set<string>();
  /** Messages by `channel/ts`, so a lookup by ts need not scan a long channel. */
  private readonly byTs = new Map<string, Message>();
  private seq = 0;
  private lastTs = 0;

  /** Adds a person; the real name is the name capitalised, in Berlin's time zone. */
  addUser(id: string, name: string, email = `${name}@example.com`): void {
    const realName = name.charAt(0).toUpperCase() + name.slice(1);
    this.users.set(id, { id, name, real_name: realName, tz: 'Europe/Berlin', tz_offset: 3600, email });
  }

  /** Adds a public channel with these members, created now by U0DECLARER. */
  addChannel(name: string, members: string[]): Channel {
    return this.open(this.newId('C'), name, members);
  }

  /** The channel (not DM) with this name, `#` or not. */
  channelByName(name: string): Channel | undefined {
    return [...this.channels.values()].find((c) => c.name === name.replace(/^#/, ''));
  }

  /** The channel with this ID, or with this name where `allowName` (as chat.postMessage resolves it). */
  channelFor(ref: unknown, allowName: boolean): Channel | undefined {
    if (typeof ref !== 'string' || !ref) return undefined;
    return this.channels.get(ref) ?? (allowName ? this.channelByName(ref) : undefined);
  }

  /** The bot's DM with this user, if it is open. */
  findDm(userId: string): Channel | undefined {
    return [...this.channels.values()].find((c) => c.is_im && c.members.has(userId));
  }

  /** The bot's DM with this user, opened if need be. */
  dm(userId: string): Channel {
    const existing = this.findDm(userId);
    if (existing) return existing;
    const dm = this.open(this.newId('D'), '', [userId, BOT_USER]);
    dm.is_im = true;
    return dm;
  }

  /** A person's message in a channel (or thread), as if typed in Slack; returns its ts. */
  say(channelId: string, user: string, text: string, threadTs?: string): string {
    const message: Message = {
      ts: this.newTs(),
      text,
      user,
      receivedAt: Date.now(),
      ...(threadTs && { thread_ts: threadTs }),
    };
    this.append(this.channels.get(channelId)!, message);
    return message.ts;
  }

  /** Appends a message to a channel, findable by its ts from then on. */
  append(channel: Channel, message: Message): void {
    channel.messages.push(message);
    this.byTs.set(`${channel.id}/${message.ts}`, message);
  }

  /** The message with this ts in this channel. */
  messageAt(channelId: string, ts: string): Message | undefined {
    return this.byTs.get(`${channelId}/${ts}`);
  }

  /** A fresh ID: the prefix (C, D, F, V…) and ten of Slack's ID characters. */
  newId(prefix: string): string {
    let id = prefix;
    for (let i = 0; i < 10; i++) id += ID_CHARS[Math.floor(Math.random() * ID_CHARS.length)];
    return id;
  }

  /** A message ts from the clock, always later than the last one, as Slack keeps them unique. */
  newTs(): string {
    const micros = Math.max(Date.now() * 1000, this.lastTs + 1);
    this.lastTs = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  /** A trigger ID as Slack would put in a command payload (for `user`'s act); it opens one view within 3 s. */
  issueTrigger(user?: string): string {
    const id = `${Date.now()}.${this.seq++}.${Math.random().toString(16).slice(2, 14)}`;
    this.triggers.set(id, Date.now());
    if (user) this.triggerOwners.set(id, user);
    return id;
  }

  /** The person whose act issued this trigger ID, if it was issued for one. */
  triggerOwner(id: string): string | undefined {
    return this.triggerOwners.get(id);
  }

  /** Adds (`on`) or takes back a person's reaction on a message; false when that changes nothing, as Slack refuses. */
  react(message: Message, name: string, user: string, on: boolean): boolean {
    const reactions = message.reactions ?? [];
    const entry = reactions.find((r) => r.name === name);
    if (on === !!entry?.users.includes(user)) return false;
    if (on && entry) entry.users.push(user);
    else if (on) reactions.push({ name, users: [user] });
    else entry!.users.splice(entry!.users.indexOf(user), 1);
    message.reactions = reactions.filter((r) => r.users.length > 0);
    return true;
  }

  /** Spends a trigger ID on a view; returns Slack's error code when it cannot be spent. */
  exchangeTrigger(id: string): string | undefined {
    const issued = this.triggers.get(id);
    if (issued === undefined) return this.usedTriggers.has(id) ? 'exchanged_trigger_id' : 'invalid_trigger_id';
    if (Date.now() - issued > TRIGGER_LIFETIME_MS) return 'expired_trigger_id';
    this.triggers.delete(id);
    this.usedTriggers.add(id);
    return undefined;
  }

  private open(id: string, name: string, members: string[]): Channel {
    const channel: Channel = {
      id,
      name,
      created: Math.floor(Date.now() / 1000),
      creator: 'U0DECLARER',
      members: new Set(members),
      topic: '',
      messages: [],
      pins: new Set(),
      is_private: false,
      is_im: false,
      is_archived: false,
    };
    this.channels.set(id, channel);
    return channel;
  }
}
