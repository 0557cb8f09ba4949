import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ActRefused, type Acts } from './acts.js';
import { ServicesUnavailable } from './services.js';

/** The page's static files, served by name from this folder only. */
const PUBLIC = new URL('./public/', import.meta.url);
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};
const MAX_BODY = 256 * 1024;
const LOCAL_HOST = /^(127\.0\.0\.1|localhost)(:\d+)?$/;

/** The page's server, on 127.0.0.1 only. */
export interface PageServer {
  readonly url: string;
  close(): Promise<void>;
}

type Body = Record<string, unknown>;
const text = (b: Body, key: string): string => (typeof b[key] === 'string' ? (b[key] as string) : '');

/**
 * Serves the playground's page on 127.0.0.1: the static files, `GET
 * /pg/state` (what the page shows), `GET /pg/files/<id>` (a shared file's text), and `POST /pg/<act>` for what people do,
 * each handed to `acts`, which sends it to the bot as Slack would. A refused
 * act answers 400 with a message saying why.
 */
export async function servePage(
  port: number,
  acts: Acts,
  state: () => unknown,
  fileText: (id: string) => string | undefined,
): Promise<PageServer> {
  const files = new Map(
    readdirSync(PUBLIC)
      .filter((f) => TYPES[f.split('.').pop() ?? ''])
      .map((f) => [`/${f}`, f]),
  );
  const routes: Record<string, (b: Body) => Promise<unknown> | unknown> = {
    command: (b) => acts.command(text(b, 'user'), text(b, 'channel'), text(b, 'text')),
    say: (b) => acts.say(text(b, 'user'), text(b, 'channel'), text(b, 'text'), text(b, 'threadTs') || undefined),
    click: (b) =>
      acts.click(
        text(b, 'user'),
        { channel: text(b, 'channel'), ts: text(b, 'ts') || undefined, ephemeral: text(b, 'ephemeral') || undefined },
        { blockId: text(b, 'blockId'), actionId: text(b, 'actionId'), option: text(b, 'option') || undefined },
      ),
    react: (b) => acts.react(text(b, 'user'), text(b, 'channel'), text(b, 'ts'), text(b, 'name'), b.on !== false),
    pin: (b) => acts.pin(text(b, 'user'), text(b, 'channel'), text(b, 'ts')),
    submit: (b) => acts.submit(text(b, 'user'), text(b, 'view'), (b.values ?? {}) as Parameters<Acts['submit']>[2]),
    close: (b) => acts.close(text(b, 'user'), text(b, 'view')),
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const json = (status: number, body: unknown) => send(status, 'application/json', JSON.stringify(body ?? null));
    if (req.method === 'GET' && path === '/pg/state') return json(200, state());
    if (req.method === 'GET' && path.startsWith('/pg/files/')) {
      const content = fileText(decodeURIComponent(path.slice('/pg/files/'.length)));
      if (content === undefined) return json(404, { error: 'no such file' });
      return send(200, 'text/plain; charset=utf-8', content);
    }
    if (req.method === 'GET') {
      const file = files.get(path === '/' ? '/index.html' : path);
      if (!file) return json(404, { error: `nothing at ${path}` });
      return send(200, TYPES[file.split('.').pop()!]!, readFileSync(new URL(file, PUBLIC)));
    }
    const act = req.method === 'POST' && path.startsWith('/pg/') ? routes[path.slice(4)] : undefined;
    if (!act) return json(404, { error: `nothing at ${req.method} ${path}` });
    // JSON only, from this host only: another site's page cannot send that without a preflight this server refuses.
    if (!(req.headers['content-type'] ?? '').startsWith('application/json') || !LOCAL_HOST.test(req.headers.host ?? ''))
      return json(403, { error: 'only the playground page on this machine may act' });
    let body: Body;
    try {
      body = JSON.parse(await readBody(req)) as Body;
    } catch {
      return json(400, { error: 'send a JSON object' });
    }
    try {
      return json(200, { ok: true, result: await act(body) });
    } catch (err) {
      if (err instanceof ActRefused) return json(400, { error: err.message });
      return json(502, { error: `the bot did not take it: ${(err as Error).message}` });
    }
  };

  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new ServicesUnavailable(
              `Port ${port} of 127.0.0.1 is in use: stop what listens there, or set PORT to another.`,
            )
          : err,
      ),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy(new Error('too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
