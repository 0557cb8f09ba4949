import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Held {
  readonly path: string;
  readonly go: () => void;
  readonly res: ServerResponse;
}

/**
 * An HTTP proxy in front of a server (the fake Slack) that holds requests to
 * chosen paths until the test lets them through or drops them, so a test can
 * catch the bot with a Web API call in flight.
 */
export class HoldingProxy {
  private server?: Server;
  private readonly holding = new Set<string>();
  private held: Held[] = [];
  url = '';

  constructor(private readonly target: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this;
  }

  /** Requests to `path` wait from now on, until `release` or `drop`. */
  hold(path: string): void {
    this.holding.add(path);
  }

  /** How many requests to `path` are waiting. */
  waiting(path: string): number {
    return this.held.filter((h) => h.path === path).length;
  }

  /** Lets the waiting requests through and holds no more. */
  release(): void {
    this.holding.clear();
    for (const h of this.held.splice(0)) h.go();
  }

  /** Cuts the waiting requests' connections: they never reach the server. */
  drop(): void {
    this.holding.clear();
    for (const h of this.held.splice(0)) h.res.socket?.destroy();
  }

  async stop(): Promise<void> {
    this.drop();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = new URL(req.url ?? '/', this.url).pathname;
    if (this.holding.has(path)) {
      const released = await new Promise<boolean>((resolve) => {
        this.held.push({ path, go: () => resolve(true), res });
        res.on('close', () => resolve(false));
      });
      if (!released) return;
    }
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'authorization'])
      if (typeof req.headers[name] === 'string') headers[name] = req.headers[name];
    try {
      const answer = await fetch(`${this.target}${req.url}`, {
        method: req.method ?? 'GET',
        headers,
        ...(chunks.length && { body: Buffer.concat(chunks) }),
      });
      const passed: Record<string, string> = {};
      for (const name of ['content-type', 'retry-after']) {
        const value = answer.headers.get(name);
        if (value) passed[name] = value;
      }
      res.writeHead(answer.status, passed);
      res.end(Buffer.from(await answer.arrayBuffer()));
    } catch {
      res.socket?.destroy();
    }
  }
}
