import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { messageBlockProblems, modalProblems } from './block-kit.js';
import { SlackRateLimits } from './fake-slack-limits.js';

/** One Web API call the fake received, after auth. */
export interface SlackCall {
  readonly method: string;
  readonly params: Record<string, unknown>;
  readonly response: Record<string, unknown>;
  readonly status: number;
  /** When the fake answered it (ms since the epoch). */
  readonly at: number;
}

interface Message {
  ts: string;
  text: string;
  blocks?: unknown;
  user: string;
  bot_id?: string;
  thread_ts?: string;
  receivedAt?: number;
  metadata?: unknown;
  edited?: { user: string; ts: string };
}
interface Channel {
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
}

/** `lost`: Slack does the work, but the answer never arrives (the client sees a 503). */
type Fault =
  | { kind: 'ratelimited'; retryAfter: number }
  | { kind: 'http'; status: number }
  | { kind: 'error'; error: string }
  | { kind: 'lost' };

export const TEAM_ID = 'T0FIREBRK1';
export const BOT_USER = 'U0FIREBOT1';
export const BOT_ID = 'B0FIREBOT1';
export const APP_ID = 'A0FIREAPP1';

/** Slack's documented name rules: lowercase letters, digits, hyphens, underscores; 80 characters. */
function nameProblem(name: string): string | undefined {
  if (!name) return 'invalid_name_required';
  if (name.length > 80) return 'invalid_name_maxlength';
  if (!/^[\p{Ll}\p{Lo}\p{N}_-]+$/u.test(name)) return 'invalid_name_specials';
  return undefined;
}

/**
 * A stateful fake of the Slack Web API, strict where Slack is strict: it
 * checks the bearer token, channel membership, channel names and every
 * `blocks` and view against the Block Kit schema, answering Slack's error
 * codes. Faults can be scripted per method.
 */
export class FakeSlack {
  readonly calls: SlackCall[] = [];
  readonly responses: { url: string; body: Record<string, unknown> }[] = [];
  readonly channels = new Map<string, Channel>();
  readonly users = new Map<
    string,
    { id: string; name: string; real_name: string; tz: string; tz_offset: number; email: string }
  >();
  readonly usergroups = new Map<string, string[]>();
  /** Uploaded files: bytes arrive at the upload URL, then completeUploadExternal shares them. */
  readonly files = new Map<
    string,
    { filename: string; length: number; content?: string; title?: string; channel?: string; completed: boolean }
  >();
  private readonly faults = new Map<string, Fault[]>();
  private readonly hooks = new Map<string, ((params: Record<string, unknown>) => void)[]>();
  /** Slack's rate limits, once `limitRates` turned them on (off by default, as most tests are not about them). */
  limits?: SlackRateLimits;
  private readonly triggers = new Map<string, number>();
  private readonly usedTriggers = new Set<string>();
  private readonly byTs = new Map<string, Message>();
  private server?: Server;
  private seq = 0;
  private lastTs = 0;
  url = '';

  constructor(readonly token = 'xoxb-test-token-0000000000') {
    this.addUser('U0DECLARER', 'dana');
    this.addUser('U0RESPOND1', 'remy');
    this.addUser('U0RESPOND2', 'ola');
    this.addUser(BOT_USER, 'firebreak');
    this.addChannel('incidents', [BOT_USER]);
    this.addChannel('general', []);
  }

  addUser(id: string, name: string, email = `${name}@example.com`): void {
    this.users.set(id, {
      id,
      name,
      real_name: name.charAt(0).toUpperCase() + name.slice(1),
      tz: 'Europe/Berlin',
      tz_offset: 3600,
      email,
    });
  }

  addChannel(name: string, members: string[]): Channel {
    const channel: Channel = {
      id: this.newId('C'),
      name,
      created: Math.floor(Date.now() / 1000),
      creator: 'U0DECLARER',
      members: new Set(members),
      topic: '',
      messages: [],
      pins: new Set(),
      is_private: false,
      is_im: false,
    };
    this.channels.set(channel.id, channel);
    return channel;
  }

  channelByName(name: string): Channel | undefined {
    return [...this.channels.values()].find((c) => c.name === name.replace(/^#/, ''));
  }

  /** Makes the next `times` calls of `method` fail as described. */
  fail(method: string, fault: Fault, times = 1): void {
    const list = this.faults.get(method) ?? [];
    for (let n = 0; n < times; n++) list.push(fault);
    this.faults.set(method, list);
  }

  /** Enforces Slack's per-method tier limits from now on, answering 429 with `Retry-After` as Slack does. */
  limitRates(speedup = 1): SlackRateLimits {
    this.limits = new SlackRateLimits(speedup);
    return this.limits;
  }

  /**
   * Runs `hook` the moment a call of `method` has succeeded in Slack, before
   * the answer leaves: a test can kill the caller or its database right there.
   */
  onSuccess(method: string, hook: (params: Record<string, unknown>) => void): void {
    this.hooks.set(method, [...(this.hooks.get(method) ?? []), hook]);
  }

  clearHooks(): void {
    this.hooks.clear();
  }

  /** A trigger ID as Slack would put in a command payload; valid for 3 s. */
  issueTrigger(): string {
    const id = `${Date.now()}.${this.seq++}.${Math.random().toString(16).slice(2, 14)}`;
    this.triggers.set(id, Date.now());
    return id;
  }

  callsTo(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method && c.response.ok === true);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body, headers }) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  private newId(prefix: string): string {
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    let id = prefix;
    for (let i = 0; i < 10; i++) id += chars[Math.floor(Math.random() * chars.length)];
    return id;
  }

  private newTs(): string {
    const micros = Math.max(Date.now() * 1000, this.lastTs + 1);
    this.lastTs = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  private async handle(
    req: IncomingMessage,
  ): Promise<{ status: number; body: Record<string, unknown>; headers?: Record<string, string> }> {
    const raw = await new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (c: Buffer) => (data += c.toString('utf8')));
      req.on('end', () => resolve(data));
    });
    const url = new URL(req.url ?? '/', this.url);
    if (url.pathname === '/_inspect/say' && req.method === 'POST') {
      const { channel, user, count, text } = JSON.parse(raw) as {
        channel: string;
        user: string;
        count: number;
        text: string;
      };
      const ts = Array.from({ length: count }, (_, n) => this.say(channel, user, `${text} ${n}`));
      return { status: 200, body: { ok: true, ts } };
    }
    if (url.pathname === '/_inspect/channels') {
      const channels = [...this.channels.values()]
        .filter((c) => !c.is_im)
        .map((c) => ({ id: c.id, name: c.name, topic: c.topic, pins: [...c.pins], messages: c.messages.length }));
      return { status: 200, body: { ok: true, channels } };
    }
    if (url.pathname === '/_inspect/limits') {
      const calls: Record<string, number> = {};
      for (const c of this.calls) if (c.status !== 429) calls[c.method] = (calls[c.method] ?? 0) + 1;
      return { status: 200, body: { ok: true, on: !!this.limits, refused: this.limits?.refused ?? [], calls } };
    }
    if (url.pathname === '/_inspect/messages') {
      const prefix = url.searchParams.get('prefix') ?? '';
      const messages = [...this.channels.values()].flatMap((c) =>
        c.messages
          .filter((m) => m.text.startsWith(prefix))
          .map((m) => ({ channel: c.id, ts: m.ts, text: m.text, receivedAt: m.receivedAt })),
      );
      return { status: 200, body: { ok: true, messages } };
    }
    if (url.pathname.startsWith('/upload/')) {
      const file = this.files.get(url.pathname.slice('/upload/'.length));
      if (!file || file.completed) return { status: 404, body: { ok: false, error: 'file_not_found' } };
      if (Buffer.byteLength(raw) !== file.length) return { status: 400, body: { ok: false, error: 'length_mismatch' } };
      file.content = raw;
      return { status: 200, body: { ok: true } };
    }
    if (url.pathname.startsWith('/respond/')) {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return { status: 400, body: { ok: false, error: 'invalid_payload' } };
      }
      if (body.blocks !== undefined && messageBlockProblems(body.blocks).length)
        return { status: 400, body: { ok: false, error: 'invalid_blocks' } };
      this.responses.push({ url: url.pathname, body });
      return { status: 200, body: { ok: true } };
    }
    const method = url.pathname.replace(/^\/api\//, '');
    const params = this.parseParams(req.headers['content-type'] ?? '', raw, url);
    const token = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '') || (params.token as string | undefined);
    const record = (status: number, response: Record<string, unknown>, headers?: Record<string, string>) => {
      this.calls.push({ method, params, response, status, at: Date.now() });
      return { status, body: response, ...(headers && { headers }) };
    };
    if (!token) return record(200, { ok: false, error: 'not_authed' });
    if (token !== this.token) return record(200, { ok: false, error: 'invalid_auth' });
    const wait = this.limits?.take(method, this.limitKey(method, params));
    if (wait) return record(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(wait) });
    const fault = this.faults.get(method)?.shift();
    if (fault?.kind === 'ratelimited')
      return record(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfter) });
    if (fault?.kind === 'http') return record(fault.status, { ok: false, error: 'fatal_error' });
    if (fault?.kind === 'error') return record(200, { ok: false, error: fault.error });
    if (fault?.kind === 'lost') {
      this.dispatch(method, params);
      return record(503, { ok: false, error: 'service_unavailable' });
    }
    const response = this.dispatch(method, params);
    if (response.ok === true) for (const hook of this.hooks.get(method) ?? []) hook(params);
    return record(200, response);
  }

  /** The channel a call counts against, as Slack resolves it (a name or a user's DM to its ID). */
  private limitKey(method: string, params: Record<string, unknown>): string | undefined {
    if (method !== 'chat.postMessage' || typeof params.channel !== 'string') return undefined;
    if (/^[UW]/.test(params.channel))
      return (
        [...this.channels.values()].find((c) => c.is_im && c.members.has(params.channel as string))?.id ??
        params.channel
      );
    return this.channelFor(params.channel, true)?.id ?? params.channel;
  }

  private parseParams(contentType: string, raw: string, url: URL): Record<string, unknown> {
    const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
    if (contentType.startsWith('application/json'))
      return { ...params, ...(JSON.parse(raw || '{}') as Record<string, unknown>) };
    for (const [k, v] of new URLSearchParams(raw)) {
      params[k] = ['blocks', 'view', 'attachments'].includes(k) ? safeJson(v) : v;
    }
    return params;
  }

  private channelFor(ref: unknown, allowName: boolean): Channel | undefined {
    if (typeof ref !== 'string' || !ref) return undefined;
    return this.channels.get(ref) ?? (allowName ? this.channelByName(ref) : undefined);
  }

  private dm(userId: string): Channel {
    const existing = [...this.channels.values()].find((c) => c.is_im && c.members.has(userId));
    if (existing) return existing;
    const ch = this.addChannel('', [userId, BOT_USER]);
    ch.is_im = true;
    this.channels.delete(ch.id);
    const id = `D${ch.id.slice(1)}`;
    const dm = { ...ch, id };
    this.channels.set(id, dm);
    return dm;
  }

  private channelJson(c: Channel): Record<string, unknown> {
    return {
      id: c.id,
      name: c.name,
      is_channel: !c.is_private && !c.is_im,
      is_group: c.is_private,
      is_im: c.is_im,
      created: c.created,
      is_archived: false,
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

  /** A message as conversations.history returns it. */
  private messageJson(channel: Channel, m: Message, withMetadata: boolean): Record<string, unknown> {
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
      ...(withMetadata && m.metadata !== undefined && { metadata: m.metadata }),
    };
  }

  /** A person's message in a channel (or thread), as if typed in Slack. */
  say(channelId: string, user: string, text: string, threadTs?: string): string {
    const channel = this.channels.get(channelId)!;
    const ts = this.newTs();
    const message: Message = { ts, text, user, receivedAt: Date.now(), ...(threadTs && { thread_ts: threadTs }) };
    channel.messages.push(message);
    this.byTs.set(`${channelId}/${ts}`, message);
    return ts;
  }

  private dispatch(method: string, p: Record<string, unknown>): Record<string, unknown> {
    const err = (error: string, extra: Record<string, unknown> = {}) => ({ ok: false, error, ...extra });
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://firebreak-test.slack.com/',
          team: 'Firebreak Test',
          user: 'firebreak',
          team_id: TEAM_ID,
          user_id: BOT_USER,
          bot_id: BOT_ID,
          is_enterprise_install: false,
        };
      case 'chat.postMessage':
      case 'chat.postEphemeral': {
        const target =
          typeof p.channel === 'string' && /^[UW]/.test(p.channel) && method === 'chat.postMessage'
            ? this.dm(p.channel)
            : this.channelFor(p.channel, true);
        if (!target) return err('channel_not_found');
        if (!target.members.has(BOT_USER)) return err('not_in_channel');
        const text = typeof p.text === 'string' ? p.text : '';
        if (!text && p.blocks === undefined) return err('no_text');
        if (text.length > 40_000) return err('msg_too_long');
        if (p.blocks !== undefined) {
          const problems = messageBlockProblems(p.blocks);
          if (problems.length)
            return err('invalid_blocks', {
              errors: problems,
              response_metadata: { messages: problems.map((m) => `[ERROR] ${m}`) },
            });
        }
        if (method === 'chat.postEphemeral') {
          if (typeof p.user !== 'string' || !target.members.has(p.user)) return err('user_not_in_channel');
          return { ok: true, message_ts: this.newTs() };
        }
        if (p.metadata !== undefined) {
          const md = (typeof p.metadata === 'string' ? safeJson(p.metadata) : p.metadata) as {
            event_type?: unknown;
            event_payload?: unknown;
          };
          if (!md || typeof md.event_type !== 'string' || !md.event_payload || typeof md.event_payload !== 'object')
            return err('invalid_metadata_format');
        }
        const metadata = typeof p.metadata === 'string' ? safeJson(p.metadata) : p.metadata;
        const message: Message = {
          ts: this.newTs(),
          receivedAt: Date.now(),
          text,
          user: BOT_USER,
          bot_id: BOT_ID,
          ...(p.blocks !== undefined && { blocks: p.blocks }),
          ...(typeof p.thread_ts === 'string' && { thread_ts: p.thread_ts }),
          ...(metadata !== undefined && { metadata }),
        };
        target.messages.push(message);
        this.byTs.set(`${target.id}/${message.ts}`, message);
        return {
          ok: true,
          channel: target.id,
          ts: message.ts,
          message: {
            type: 'message',
            subtype: 'bot_message',
            text,
            user: BOT_USER,
            bot_id: BOT_ID,
            app_id: APP_ID,
            team: TEAM_ID,
            ts: message.ts,
            ...(message.blocks !== undefined && { blocks: message.blocks }),
          },
        };
      }
      case 'chat.update': {
        const target = this.channelFor(p.channel, false);
        if (!target) return err('channel_not_found');
        const message = target.messages.find((m) => m.ts === p.ts);
        if (!message) return err('message_not_found');
        if (message.user !== BOT_USER) return err('cant_update_message');
        if (typeof p.text !== 'string' && p.blocks === undefined && p.attachments === undefined) return err('no_text');
        if (p.blocks !== undefined) {
          const problems = messageBlockProblems(p.blocks);
          if (problems.length) return err('invalid_blocks', { errors: problems });
          message.blocks = p.blocks;
        }
        if (typeof p.text === 'string') message.text = p.text;
        return {
          ok: true,
          channel: target.id,
          ts: message.ts,
          text: message.text,
          message: {
            type: 'message',
            text: message.text,
            user: BOT_USER,
            bot_id: BOT_ID,
            app_id: APP_ID,
            team: TEAM_ID,
            ...(message.blocks !== undefined && { blocks: message.blocks }),
          },
        };
      }
      case 'chat.getPermalink': {
        const target = this.channelFor(p.channel, false);
        if (!target) return err('channel_not_found');
        if (!target.messages.some((m) => m.ts === p.message_ts)) return err('message_not_found');
        return {
          ok: true,
          channel: target.id,
          permalink: `https://firebreak-test.slack.com/archives/${target.id}/p${String(p.message_ts).replace('.', '')}`,
        };
      }
      case 'conversations.create': {
        const name = typeof p.name === 'string' ? p.name : '';
        const problem = nameProblem(name);
        if (problem) return err(problem);
        if (this.channelByName(name)) return err('name_taken');
        const channel = this.addChannel(name, [BOT_USER]);
        channel.creator = BOT_USER;
        channel.is_private = p.is_private === true || p.is_private === 'true';
        return { ok: true, channel: this.channelJson(channel) };
      }
      case 'files.getUploadURLExternal': {
        const length = Number(p.length);
        if (typeof p.filename !== 'string' || !p.filename) return err('invalid_arguments');
        if (!Number.isInteger(length) || length <= 0) return err('invalid_arguments');
        const id = this.newId('F');
        this.files.set(id, { filename: p.filename, length, completed: false });
        return { ok: true, upload_url: `${this.url}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const list = (typeof p.files === 'string' ? safeJson(p.files) : p.files) as
          | { id: string; title?: string }[]
          | undefined;
        if (!Array.isArray(list) || !list.length) return err('invalid_arguments');
        const target = p.channel_id === undefined ? undefined : this.channelFor(p.channel_id, false);
        if (p.channel_id !== undefined && !target) return err('channel_not_found');
        if (target && !target.members.has(BOT_USER)) return err('not_in_channel');
        const done = [];
        for (const item of list) {
          const file = this.files.get(item.id);
          if (!file || file.completed) return err('file_not_found');
          if (file.content === undefined) return err('file_upload_incomplete');
          file.completed = true;
          file.title = item.title ?? file.filename;
          if (target) {
            file.channel = target.id;
            target.messages.push({
              ts: this.newTs(),
              receivedAt: Date.now(),
              text: String(p.initial_comment ?? ''),
              user: BOT_USER,
              bot_id: BOT_ID,
            });
          }
          done.push({
            id: item.id,
            title: file.title,
            name: file.filename,
            created: Math.floor(Date.now() / 1000),
            timestamp: Math.floor(Date.now() / 1000),
            mimetype: 'text/markdown',
            filetype: 'markdown',
            pretty_type: 'Markdown',
            user: BOT_USER,
            size: file.length,
            is_external: false,
            is_public: !!target,
            url_private: `${this.url}/files-pri/${item.id}`,
            permalink: `https://firebreak-test.slack.com/files/${BOT_USER}/${item.id}`,
          });
        }
        return { ok: true, files: done };
      }
      case 'conversations.history': {
        const target = this.channelFor(p.channel, false);
        if (!target) return err('channel_not_found');
        if (!target.members.has(BOT_USER)) return err('not_in_channel');
        const oldest = Number(p.oldest ?? 0);
        const latest = p.latest === undefined ? Infinity : Number(p.latest);
        const inclusive = p.inclusive === true || p.inclusive === 'true';
        const limit = Math.min(Number(p.limit ?? 100), 999);
        const withMeta = p.include_all_metadata === true || p.include_all_metadata === 'true';
        const inRange = (ts: number) => (inclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest);
        if (inclusive && p.oldest !== undefined && p.oldest === p.latest) {
          // One message by its ts: the lookup capture makes, found without scanning the whole channel.
          const m = this.byTs.get(`${target.id}/${String(p.oldest)}`);
          const hit = m && (!m.thread_ts || m.thread_ts === m.ts) ? [this.messageJson(target, m, withMeta)] : [];
          return {
            ok: true,
            messages: hit,
            has_more: false,
            pin_count: target.pins.size,
            channel_actions_ts: null,
            channel_actions_count: 0,
          };
        }
        const top = target.messages
          .filter((m) => (!m.thread_ts || m.thread_ts === m.ts) && inRange(Number(m.ts)))
          .reverse();
        const page = top.slice(0, limit);
        return {
          ok: true,
          messages: page.map((m) => this.messageJson(target, m, withMeta)),
          has_more: top.length > page.length,
          pin_count: target.pins.size,
          channel_actions_ts: null,
          channel_actions_count: 0,
        };
      }
      case 'conversations.replies': {
        const target = this.channelFor(p.channel, false);
        if (!target) return err('channel_not_found');
        const ts = String(p.ts ?? '');
        const head = target.messages.find((m) => m.ts === ts);
        if (!head) return err('thread_not_found');
        const root = head.thread_ts ?? head.ts;
        const oldest = Number(p.oldest ?? 0);
        const latest = p.latest === undefined ? Infinity : Number(p.latest);
        const inclusive = p.inclusive === true || p.inclusive === 'true';
        const inRange = (t: number) => (inclusive ? t >= oldest && t <= latest : t > oldest && t < latest);
        // Slack always returns the thread's parent first, then the replies in range.
        const thread = target.messages.filter((m) => m.ts === root || (m.thread_ts === root && inRange(Number(m.ts))));
        const limit = Math.min(Number(p.limit ?? 100), 999);
        return {
          ok: true,
          messages: thread.slice(0, limit).map((m) => this.messageJson(target, m, false)),
          has_more: thread.length > limit,
        };
      }
      case 'conversations.open': {
        const users = String(p.users ?? '')
          .split(',')
          .filter(Boolean);
        if (users.length !== 1) return err(users.length ? 'not_implemented' : 'users_list_not_supplied');
        if (!this.users.has(users[0]!)) return err('user_not_found');
        return { ok: true, channel: { id: this.dm(users[0]!).id } };
      }
      case 'conversations.list': {
        const all = [...this.channels.values()].filter((c) => !c.is_im);
        const start = Number(p.cursor ? Buffer.from(String(p.cursor), 'base64').toString() : 0);
        const limit = Math.min(Number(p.limit ?? 100), 1000);
        const page = all.slice(start, start + limit);
        const next = start + limit < all.length ? Buffer.from(String(start + limit)).toString('base64') : '';
        return { ok: true, channels: page.map((c) => this.channelJson(c)), response_metadata: { next_cursor: next } };
      }
      case 'conversations.join': {
        const target = this.channelFor(p.channel, false);
        if (!target) return err('channel_not_found');
        target.members.add(BOT_USER);
        return { ok: true, channel: this.channelJson(target) };
      }
      case 'conversations.info': {
        const target = this.channelFor(p.channel, false);
        return target ? { ok: true, channel: this.channelJson(target) } : err('channel_not_found');
      }
      case 'conversations.invite': {
        const target = this.channelFor(p.channel, false);
        if (!target) return err('channel_not_found');
        if (!target.members.has(BOT_USER)) return err('not_in_channel');
        const ids = String(p.users ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        if (!ids.length) return err('no_user');
        if (ids.includes(BOT_USER)) return err('cant_invite_self');
        const unknown = ids.filter((id) => !this.users.has(id));
        if (unknown.length)
          return err('user_not_found', {
            errors: unknown.map((user) => ({ user, ok: false, error: 'user_not_found' })),
          });
        const fresh = ids.filter((id) => !target.members.has(id));
        if (!fresh.length) return err('already_in_channel');
        for (const id of fresh) target.members.add(id);
        return { ok: true, channel: this.channelJson(target) };
      }
      case 'conversations.setTopic': {
        const target = this.channelFor(p.channel, false);
        if (!target) return err('channel_not_found');
        if (!target.members.has(BOT_USER)) return err('not_in_channel');
        const topic = String(p.topic ?? '');
        if (topic.length > 250) return err('too_long');
        target.topic = topic;
        return { ok: true, channel: this.channelJson(target) };
      }
      case 'pins.add': {
        const target = this.channelFor(p.channel, false);
        if (!target) return err('channel_not_found');
        if (!target.messages.some((m) => m.ts === p.timestamp)) return err('message_not_found');
        if (target.pins.has(String(p.timestamp))) return err('already_pinned');
        target.pins.add(String(p.timestamp));
        return { ok: true };
      }
      case 'usergroups.users.list': {
        const members = this.usergroups.get(String(p.usergroup ?? ''));
        return members ? { ok: true, users: members } : err('no_such_subteam');
      }
      case 'users.info':
      case 'users.lookupByEmail': {
        const user =
          method === 'users.info'
            ? this.users.get(String(p.user ?? ''))
            : [...this.users.values()].find((u) => u.email === String(p.email ?? ''));
        if (!user) return err(method === 'users.info' ? 'user_not_found' : 'users_not_found');
        return {
          ok: true,
          user: {
            id: user.id,
            team_id: TEAM_ID,
            name: user.name,
            real_name: user.real_name,
            tz: user.tz,
            tz_offset: user.tz_offset,
            is_bot: user.id === BOT_USER,
            deleted: false,
            profile: { display_name: user.name, real_name: user.real_name, email: user.email },
          },
        };
      }
      case 'views.open':
      case 'views.push': {
        const issued = this.triggers.get(String(p.trigger_id ?? ''));
        if (issued === undefined)
          return err(this.usedTriggers.has(String(p.trigger_id)) ? 'exchanged_trigger_id' : 'invalid_trigger_id');
        if (Date.now() - issued > 3000) return err('expired_trigger_id');
        // A trigger opens one view; Slack refuses it a second time.
        this.triggers.delete(String(p.trigger_id));
        this.usedTriggers.add(String(p.trigger_id));
        const problems = modalProblems(p.view);
        if (problems.length)
          return err('invalid_arguments', { response_metadata: { messages: problems.map((m) => `[ERROR] ${m}`) } });
        const view = p.view as Record<string, unknown>;
        return {
          ok: true,
          view: {
            ...view,
            id: this.newId('V'),
            team_id: TEAM_ID,
            state: { values: {} },
            hash: `${Date.now()}.abc`,
            app_id: APP_ID,
            bot_id: BOT_ID,
            root_view_id: null,
            previous_view_id: null,
          },
        };
      }
      default:
        return err('unknown_method');
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
