import type { IncomingMessage, ServerResponse } from 'node:http';

/** A plain Node route; the Slack receiver serves these beside its own endpoint. */
export interface Route {
  path: string;
  method: string;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

/** A dependency check: resolves when the dependency answers. */
export type Check = () => Promise<unknown>;

const CHECK_TIMEOUT_MS = 1_500;

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), ms).unref()),
  ]);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * GET /healthz answers while the process lives; GET /readyz answers 200 only
 * while every check (Postgres, Redis) does, and names the ones that fail. Once
 * `draining()` is true, /readyz answers 503 so the Service stops routing here.
 */
export function healthRoutes(checks: Readonly<Record<string, Check>>, draining: () => boolean = () => false): Route[] {
  return [
    { path: '/healthz', method: 'GET', handler: (_req, res) => json(res, 200, { status: 'ok' }) },
    {
      path: '/readyz',
      method: 'GET',
      handler: (_req, res) => {
        if (draining()) return json(res, 503, { status: 'draining', failing: [] });
        const names = Object.keys(checks);
        void Promise.allSettled(names.map((n) => within(CHECK_TIMEOUT_MS, checks[n]!()))).then((results) => {
          const failing = names.filter((_, i) => results[i]!.status === 'rejected');
          json(res, failing.length ? 503 : 200, { status: failing.length ? 'unavailable' : 'ok', failing });
        });
      },
    },
  ];
}
