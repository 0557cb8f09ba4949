import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { BOT_ID, BOT_USER } from '../../src/playground/slack/workspace.js';
import { SHIPPED_DIAG_ENV } from './diag-env.js';
import { waitFor } from './harness.js';
import { REPO } from './paths.js';
import { SIGNING_SECRET } from './signed.js';

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function answers(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** A redis-server of the test's own, on its own port, that the test may `kill -9` and start again empty. */
export class OwnRedis {
  private child?: ChildProcess;
  port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.port ||= await freePort();
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    await waitFor(() => answers(this.url), 5000, `redis-server on ${this.port}`);
    return this;
  }

  /** `kill -9`: everything in it is lost. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

/** The V8 heap settings `npm start` and the image run the bot with: their one home is package.json's config. */
export const NODE_OPTIONS = (
  JSON.parse(readFileSync(new URL('package.json', REPO), 'utf8')) as { config: { node_options: string } }
).config.node_options;

/** The Slack part of a bot process's environment: a fake Slack's Web API at `apiUrl`, the tests' signing secret. */
export function slackEnv(token: string, apiUrl: string): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: token,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: apiUrl,
    SLACK_BOT_ID: BOT_ID,
    SLACK_BOT_USER_ID: BOT_USER,
  };
}

/** How a process exited: its code, or the signal that killed it. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Where and how the bot is started when not from this repository's `dist/src/main.js`. */
export interface Launch {
  /** The working directory (the image's WORKDIR). */
  readonly cwd: string;
  /** Node's arguments (the image's CMD after `node`). */
  readonly args: readonly string[];
}

/** The bot as a separate OS process (`node dist/src/main.js`), configured by environment. */
export class BotProcess {
  private child?: ChildProcess;
  readonly output: string[] = [];
  port = 0;
  /** Resolves when the process has exited. */
  exited: Promise<Exit> = new Promise(() => undefined);

  /**
   * `nodeOptions` replaces the shipped heap settings, for a bench that compares them with others;
   * undefined sets no NODE_OPTIONS at all. `launch` starts it from another folder with other arguments.
   */
  constructor(
    private readonly env: Record<string, string>,
    private readonly nodeOptions: string | undefined = NODE_OPTIONS,
    private readonly launch?: Launch,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** True while the process runs (it has neither exited nor been killed). */
  get alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends SIGKILL at once, without waiting: for killing the bot from inside a fake's request handler. */
  killNow(): void {
    this.child?.kill('SIGKILL');
  }

  async start(): Promise<this> {
    this.port = await freePort();
    const args = this.launch?.args ?? [new URL('dist/src/main.js', REPO).pathname];
    this.child = spawn(process.execPath, args, {
      env: {
        PATH: process.env.PATH ?? '',
        ...(this.nodeOptions !== undefined && { NODE_OPTIONS: this.nodeOptions }),
        ...SHIPPED_DIAG_ENV,
        ...this.env,
        PORT: String(this.port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(this.launch && { cwd: this.launch.cwd }),
    });
    const child = this.child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.stdout!.on('data', (d: Buffer) => this.output.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => this.output.push(d.toString()));
    await waitFor(
      async () =>
        (await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined))?.status ===
        200,
      30000,
      `bot process on ${this.port}`,
    ).catch((err: unknown) => {
      // A bot that never became ready must not outlive the test (two were found running an hour later).
      child.kill('SIGKILL');
      throw new Error(`${(err as Error).message}; it printed:\n${this.output.join('').slice(-3000)}`);
    });
    return this;
  }

  /** Sends a signal and returns at once; `exited` says how it ended. */
  signal(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  /** SIGTERM (graceful) or SIGKILL (a crash). */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await this.exited;
  }
}
