import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server sends back: a status, a JSON body and any extra headers (`retry-after`). */
export interface HttpAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers?: Record<string, string>;
}

/** A request as the routes see it: its method, URL, headers and whole body as text. */
export interface HttpRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly raw: string;
}

/** A JSON server on 127.0.0.1, and the base URL (`http://127.0.0.1:port`) it listens on. */
export interface JsonServer {
  readonly url: string;
  /** Drops open connections and stops listening. */
  close(): Promise<void>;
}

/** Serves `route` on a free port of 127.0.0.1, reading each body whole before it routes. */
export async function serveJson(route: (req: HttpRequest) => HttpAnswer): Promise<JsonServer> {
  let base = '';
  const server: Server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const answer = route({
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', base),
        headers: req.headers,
        raw,
      });
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...answer.headers });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The whole body as UTF-8, decoded once so a character split across chunks stays whole. */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/**
 * The token a Web API call carries: the Authorization header's bearer token, else a form field. Slack
 * reads no token from a JSON body, nor from the query string for apps created since February 2021.
 */
export function tokenOf(req: HttpRequest): string | undefined {
  const bearer = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
  if (bearer) return bearer;
  if ((req.headers['content-type'] ?? '').startsWith('application/json')) return undefined;
  return new URLSearchParams(req.raw).get('token') ?? undefined;
}
