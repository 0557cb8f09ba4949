import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { createTestDatabase } from './db.js';

/**
 * A TCP proxy to a real server that a test can cut and restore, to make
 * Postgres "go down" for one bot without touching anyone else's connections.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private up = true;
  private frozen = false;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<this> {
    this.server = createServer((client) => {
      if (!this.up) return void client.destroy();
      // Frozen: the connection is accepted and then nothing is ever answered.
      if (this.frozen) return void this.hold(client);
      const upstream = new (client.constructor as typeof Socket)();
      upstream.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
    return this;
  }

  /** Drops every open connection and refuses new ones. */
  cut(): void {
    this.up = false;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.up = true;
    this.frozen = false;
  }

  /**
   * The server stops answering without closing anything: open connections stay up but carry no more
   * bytes, and new ones are accepted and never answered, as a hung or black-holed database does.
   */
  freeze(): void {
    this.frozen = true;
    for (const s of this.sockets) {
      s.unpipe();
      s.pause();
    }
  }

  private hold(client: Socket): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => undefined);
    client.pause();
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

/** A fresh test database reached through a `TcpProxy`, so a test can cut Postgres for one bot; `url` goes through it. */
export async function proxiedDatabase(): Promise<{
  db: Awaited<ReturnType<typeof createTestDatabase>>;
  proxy: TcpProxy;
  url: string;
}> {
  const db = await createTestDatabase();
  const real = new URL(db.url);
  const proxy = await new TcpProxy({ host: real.hostname, port: Number(real.port || 5432) }).start();
  const viaProxy = new URL(db.url);
  viaProxy.port = String(proxy.port);
  return { db, proxy, url: viaProxy.toString() };
}
