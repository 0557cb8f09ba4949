import {
  type HttpAnswer,
  type HttpRequest,
  type JsonServer,
  serveJson,
  tokenOf,
} from '../../../src/playground/slack/http.js';
import { type Answer, type Params, slackError } from '../../../src/playground/slack/methods/method.js';
import { createResponseSink, RESPOND_PATH, receiveUpload, UPLOAD_PATH } from '../../../src/playground/slack/sinks.js';
import { createWebApi, parseParams } from '../../../src/playground/slack/web-api.js';
import { BOT_USER, type Channel, SlackWorkspace } from '../../../src/playground/slack/workspace.js';
import { blockKitValidation } from './block-kit.js';
import { inspect } from './inspect.js';
import { SlackRateLimits } from './limits.js';

/** One Web API call the fake received, after auth. */
export interface SlackCall {
  readonly method: string;
  readonly params: Record<string, unknown>;
  readonly response: Record<string, unknown>;
  readonly status: number;
  /** When the fake answered it (ms since the epoch). */
  readonly at: number;
}

/** A scripted failure. `lost`: Slack does the work, but the answer never arrives (the client sees a 503). */
export type Fault =
  | { kind: 'ratelimited'; retryAfter: number }
  | { kind: 'http'; status: number }
  | { kind: 'error'; error: string }
  | { kind: 'lost' };

type Hook = (params: Record<string, unknown>) => void;

/**
 * A stateful fake of the Slack Web API over HTTP, strict where Slack is
 * strict: it checks the bearer token, then hands the call to the workspace's
 * methods (`web-api.ts`), which check channel membership, names and, through
 * the Block Kit schema, every `blocks` and view, answering Slack's error
 * codes. On top, for tests: faults scripted per method, Slack's rate limits,
 * hooks that run when a call succeeds, a log of every call, the upload and
 * `response_url` sinks, and the `/_inspect/*` endpoints.
 */
export class FakeSlack {
  /** The people, channels, messages, groups and files the methods work on. */
  readonly workspace = new SlackWorkspace();
  /** Every call answered after the token was read, in order, with what it answered. */
  readonly calls: SlackCall[] = [];
  /** Channels and DMs by ID. */
  readonly channels = this.workspace.channels;
  /** People by user ID. */
  readonly users = this.workspace.users;
  /** User group ID (`S…`) → member user IDs; a test sets the groups it needs. */
  readonly usergroups = this.workspace.usergroups;
  /** Uploaded files: bytes arrive at the upload URL, then completeUploadExternal shares them. */
  readonly files = this.workspace.files;
  /** Slack's rate limits, once `limitRates` turned them on (off by default, as most tests are not about them). */
  limits?: SlackRateLimits;
  /** Where the fake listens (`http://127.0.0.1:port`) once started. */
  url = '';
  private readonly sink = createResponseSink(blockKitValidation);
  /** Replies the bot sent to `response_url`s, in order. */
  readonly responses = this.sink.responses;
  private readonly api = createWebApi({
    workspace: this.workspace,
    validation: blockKitValidation,
    baseUrl: () => this.url,
  });
  private readonly faults = new Map<string, Fault[]>();
  private readonly hooks = new Map<string, Hook[]>();
  private server?: JsonServer;

  /** A workspace with dana, remy, ola and the bot; #incidents (the bot in it) and #general (without). */
  constructor(readonly token = 'xoxb-test-token-0000000000') {
    this.addUser('U0DECLARER', 'dana');
    this.addUser('U0RESPOND1', 'remy');
    this.addUser('U0RESPOND2', 'ola');
    this.addUser(BOT_USER, 'firebreak');
    this.addChannel('incidents', [BOT_USER]);
    this.addChannel('general', []);
  }

  /** Adds a person to the workspace. */
  addUser(id: string, name: string, email?: string): void {
    this.workspace.addUser(id, name, email);
  }

  /** Adds a public channel with these members. */
  addChannel(name: string, members: string[]): Channel {
    return this.workspace.addChannel(name, members);
  }

  /** The channel with this name, `#` or not. */
  channelByName(name: string): Channel | undefined {
    return this.workspace.channelByName(name);
  }

  /** A person's message in a channel (or thread), as if typed in Slack; returns its ts. */
  say(channelId: string, user: string, text: string, threadTs?: string): string {
    return this.workspace.say(channelId, user, text, threadTs);
  }

  /** A trigger ID as Slack would put in a command payload; valid for 3 s. */
  issueTrigger(): string {
    return this.workspace.issueTrigger();
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
  onSuccess(method: string, hook: Hook): void {
    this.hooks.set(method, [...(this.hooks.get(method) ?? []), hook]);
  }

  /** Forgets every hook `onSuccess` added. */
  clearHooks(): void {
    this.hooks.clear();
  }

  /** The successful calls of `method`, in order. */
  callsTo(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method && c.response.ok === true);
  }

  /** Listens on a free port of 127.0.0.1 and sets `url`. */
  async start(): Promise<this> {
    this.server = await serveJson((req) => this.route(req));
    this.url = this.server.url;
    return this;
  }

  /** Drops open connections and stops listening. */
  async stop(): Promise<void> {
    await this.server?.close();
  }

  /** The Web API's base URL, as the bot's `slackApiUrl` takes it. */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  private route(req: HttpRequest): HttpAnswer {
    const path = req.url.pathname;
    const inspected = inspect(this, req);
    if (inspected) return inspected;
    if (path.startsWith(UPLOAD_PATH)) return receiveUpload(this.workspace, path.slice(UPLOAD_PATH.length), req.raw);
    if (path.startsWith(RESPOND_PATH)) return this.sink.receive(path, req.raw);
    return this.answer(path.replace(/^\/api\//, ''), req);
  }

  /** A Web API call: token, a readable body, rate limit, scripted fault, then the method itself and its success hooks. */
  private answer(method: string, req: HttpRequest): HttpAnswer {
    const parsed = parseParams(req.headers['content-type'] ?? '', req.raw, req.url);
    const params = 'params' in parsed ? parsed.params : {};
    const token = tokenOf(req);
    const record = (status: number, response: Answer, headers?: Record<string, string>): HttpAnswer => {
      this.calls.push({ method, params, response, status, at: Date.now() });
      return { status, body: response, ...(headers && { headers }) };
    };
    if (!token) return record(200, slackError('not_authed'));
    if (token !== this.token) return record(200, slackError('invalid_auth'));
    if ('error' in parsed) return record(200, slackError(parsed.error));
    const wait = this.limits?.take(method, this.limitKey(method, params));
    if (wait) return record(429, slackError('ratelimited'), { 'retry-after': String(wait) });
    const fault = this.faults.get(method)?.shift();
    switch (fault?.kind) {
      case 'ratelimited':
        return record(429, slackError('ratelimited'), { 'retry-after': String(fault.retryAfter) });
      case 'http':
        return record(fault.status, slackError('fatal_error'));
      case 'error':
        return record(200, slackError(fault.error));
      case 'lost':
        this.api.call(method, params);
        return record(503, slackError('service_unavailable'));
    }
    const response = this.api.call(method, params);
    if (response.ok === true) for (const hook of this.hooks.get(method) ?? []) hook(params);
    return record(200, response);
  }

  /** The channel a call counts against, as Slack resolves it (a name or a user's DM to its ID). */
  private limitKey(method: string, params: Params): string | undefined {
    const channel = params.channel;
    if (method !== 'chat.postMessage' || typeof channel !== 'string') return undefined;
    const target = /^[UW]/.test(channel) ? this.workspace.findDm(channel) : this.workspace.channelFor(channel, true);
    return target?.id ?? channel;
  }
}
