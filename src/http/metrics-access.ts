import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Route } from './health.js';

/**
 * The route, answering only requests that carry `Authorization: Bearer
 * <token>`; anything else gets a 401 that says what is missing.
 */
export function bearerOnly(route: Route, token: string): Route {
  const expected = Buffer.from(`Bearer ${token}`);
  return {
    ...route,
    handler: (req, res) => {
      const given = Buffer.from(req.headers.authorization ?? '');
      if (given.length === expected.length && timingSafeEqual(given, expected)) return route.handler(req, res);
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="firebreak-metrics"' });
      res.end('Send the metrics token as "Authorization: Bearer <METRICS_TOKEN>".\n');
    },
  };
}

/** A plain HTTP server for `routes` alone (say, /metrics on a port only the monitoring network reaches). */
export async function serveRoutes(
  port: number,
  routes: readonly Route[],
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = routes.find((r) => r.path === path && r.method === req.method);
    if (route) return route.handler(req, res);
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('Not found.\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
