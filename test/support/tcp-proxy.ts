import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { createTestDatabase } from './db.js';

/** A COMMIT sent as a simple query: 'Q', its length (4 + 7), `COMMIT` and a NUL. */
const COMMIT_MESSAGE = Buffer.concat([Buffer.from('Q'), Buffer.from([0, 0, 0, 11]), Buffer.from('COMMIT\0')]);

interface CommitTrap {
  readonly marker: Buffer;
  readonly when: 'before' | 'after';
  readonly sprung: () => void;
}

/**
 * A TCP proxy to a real server that a test can cut and restore, to make
 * Postgres "go down" for one bot without touching anyone else's connections.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private up = true;
  private frozen = false;
  private trap?: CommitTrap;
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
      let marked = false;
      client.on('data', (chunk: Buffer) => {
        const trap = this.trap;
        marked ||= trap !== undefined && chunk.includes(trap.marker);
        if (trap && marked && chunk.includes(COMMIT_MESSAGE)) {
          this.trap = undefined;
          // `after`: Postgres gets the COMMIT (and commits) but its answer never reaches the bot.
          if (trap.when === 'after') upstream.end(chunk);
          else upstream.destroy();
          client.destroy();
          trap.sprung();
          return;
        }
        upstream.write(chunk);
      });
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
    return this;
  }

  /**
   * Cuts the connection that carries the transaction naming `marker` (a string its statements hold)
   * exactly at its COMMIT: `before` the COMMIT reaches Postgres (nothing is committed) or `after`
   * (Postgres commits, the answer is lost). Resolves once it has cut.
   */
  cutAtCommit(marker: string, when: 'before' | 'after'): Promise<void> {
    return new Promise((sprung) => {
      this.trap = { marker: Buffer.from(marker), when, sprung };
    });
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
