import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { waitFor } from './harness.js';
import { REPO } from './paths.js';

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

/** The V8 flags `npm start` runs the bot with, read from package.json so tests and bench run it the same way. */
const PRODUCTION_FLAGS =
  (
    JSON.parse(readFileSync(new URL('package.json', REPO), 'utf8')) as { scripts: { start: string } }
  ).scripts.start.match(/--max-[a-z-]+=\d+/g) ?? [];

/** The bot as a separate OS process (`node dist/src/main.js`), configured by environment. */
export class BotProcess {
  private child?: ChildProcess;
  readonly output: string[] = [];
  port = 0;

  constructor(private readonly env: Record<string, string>) {}

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
    const entry = new URL('dist/src/main.js', REPO).pathname;
    this.child = spawn(process.execPath, [...PRODUCTION_FLAGS, entry], {
      env: { PATH: process.env.PATH ?? '', ...this.env, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d: Buffer) => this.output.push(d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => this.output.push(d.toString()));
    await waitFor(
      async () =>
        (await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined))?.status ===
        200,
      15000,
      `bot process on ${this.port}`,
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}; it printed:\n${this.output.join('').slice(-3000)}`);
    });
    return this;
  }

  /** SIGTERM (graceful) or SIGKILL (a crash). */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}
