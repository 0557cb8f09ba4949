import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { authorize, type Grant } from './access.js';
import { ApiError, notFound, statusBody } from './api-error.js';
import { FakeCluster } from './cluster.js';
import { callServer, safeJson, selfSignedCert, writeKubeconfig } from './connection.js';
import { discovery } from './discovery.js';
import { type Fault, Interruptions } from './faults.js';
import { PatchError } from './patch.js';
import { podLog, podMetrics, watch } from './reads.js';
import { parseResourcePath, type Route } from './routes.js';
import { matchesFields, matchesLabels } from './selectors.js';
import { table } from './tables.js';
import { toScale, writeObject } from './writes.js';

export type { Grant, Rule } from './access.js';
export type { Fault } from './faults.js';

/**
 * A fake Kubernetes API server for tests, strict where the real one is:
 * discovery, apps/v1 deployments (with the scale subresource), replicasets,
 * pods (and their logs), events and configmaps; list and watch with label and
 * field selectors; the three patch content types (others get 415, a body of
 * the wrong shape 400); `dryRun=All`; 401/403/404/409/422 as `Status`
 * objects; Table output for kubectl; and a simulated deployment controller.
 */
export class FakeKube {
  readonly cluster = new FakeCluster();
  readonly requests: {
    method: string;
    path: string;
    contentType?: string;
    dryRun: boolean;
    body?: unknown;
    at: number;
    /** The HTTP status answered, once the response is sent. */
    status?: number;
  }[] = [];
  readonly tokens = new Map<string, Grant | undefined>([['fake-admin-token', undefined]]);
  /** Whether metrics-server is installed: metrics.k8s.io is discovered and served only then. */
  metricsServer = false;
  /** CPU and memory per pod (`namespace/pod`) as metrics-server reports them; others get a small default. */
  readonly usage = new Map<string, { cpu: string; memory: string }>();
  private readonly interruptions = new Interruptions();
  private server?: Server;
  private readonly watches = new Set<ServerResponse>();
  url = '';
  /** TLS connections clients opened (a client that keeps its connections alive opens few). */
  tlsConnections = 0;
  /** The server's self-signed certificate (PEM): clients trust it through the kubeconfig. */
  ca = '';

  /** Serves HTTPS, as every API server does: kubectl sends no bearer token over plain HTTP. */
  async start(): Promise<this> {
    const { key, cert } = selfSignedCert();
    this.ca = cert;
    this.server = createServer({ key, cert: this.ca }, (req, res) => void this.handle(req, res));
    this.server.on('secureConnection', () => this.tlsConnections++);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `https://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this;
  }

  /** The connections open now (kept-alive ones included). */
  openConnections(): Promise<number> {
    return new Promise((resolve, reject) => this.server!.getConnections((err, n) => (err ? reject(err) : resolve(n))));
  }

  /** A raw request to the server, trusting its certificate. */
  call(
    method: string,
    path: string,
    opts: { token?: string; contentType?: string; body?: string } = {},
  ): Promise<{ status: number; body: any }> {
    return callServer(this.url, this.ca, method, path, opts);
  }

  /** Answers the next `times` requests matching `method` and `path` with `status` and a body of its own. */
  fail(fault: Omit<Fault, 'times' | 'contentType'> & { times?: number; contentType?: string }): void {
    this.interruptions.fail(fault);
  }

  /** Delays the next `times` requests matching `method` and `path` by `ms` before serving them. */
  hold(method: string, path: RegExp, ms: number, times = 1): void {
    this.interruptions.hold(method, path, ms, times);
  }

  /** Scales a deployment the way `kubectl scale` does: a merge patch of its scale subresource. */
  async scale(namespace: string, name: string, replicas: number): Promise<void> {
    const r = await this.call('PATCH', `/apis/apps/v1/namespaces/${namespace}/deployments/${name}/scale`, {
      contentType: 'application/merge-patch+json',
      body: JSON.stringify({ spec: { replicas } }),
    });
    if (r.status !== 200) throw new Error(`scale failed: ${JSON.stringify(r.body)}`);
  }

  async stop(): Promise<void> {
    this.cluster.close();
    for (const w of this.watches) w.end();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Writes a kubeconfig for this server; kubectl and @kubernetes/client-node both read it. */
  kubeconfig(token = 'fake-admin-token', namespace = 'default'): string {
    return writeKubeconfig(this.url, this.ca, token, namespace);
  }

  private send(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
    res.writeHead(code, { 'content-type': contentType, 'cache-control': 'no-cache, private' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const raw = await new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (c: Buffer) => (data += c.toString('utf8')));
      req.on('end', () => resolve(data));
    });
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    const dryRun = url.searchParams.getAll('dryRun').includes('All');
    const path = url.pathname + url.search;
    const entry: FakeKube['requests'][number] = {
      method: req.method!,
      path,
      ...(contentType && { contentType }),
      dryRun,
      ...(raw && { body: safeJson(raw) }),
      at: Date.now(),
    };
    this.requests.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
    });
    const fault = await this.interruptions.before(req.method!, path);
    if (fault) return this.send(res, fault.status, fault.body(req.headers), fault.contentType);
    try {
      const token = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
      if (!this.tokens.has(token)) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
      const found = discovery(url.pathname, this.url, this.metricsServer);
      if (found) return this.send(res, 200, found);
      if (url.pathname === '/version')
        return this.send(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0-fake', platform: 'linux/amd64' });
      const route = parseResourcePath(url.pathname);
      if (!route || (route.info.group === 'metrics.k8s.io' && !this.metricsServer))
        throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      authorize(this.tokens.get(token), req.method!, route, url);
      if (route.info.group === 'metrics.k8s.io')
        return this.send(res, 200, podMetrics(this.cluster, this.usage, route, url));
      await this.serve(req.method!, route, url, raw, contentType, dryRun, req, res);
    } catch (err) {
      const apiError =
        err instanceof ApiError
          ? err
          : err instanceof PatchError
            ? new ApiError(err.code, err.code === 422 ? 'Invalid' : 'BadRequest', err.message)
            : new ApiError(500, 'InternalError', (err as Error).message);
      this.send(res, apiError.code, statusBody(apiError));
    }
  }

  private async serve(
    method: string,
    route: Route,
    url: URL,
    raw: string,
    contentType: string,
    dryRun: boolean,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const { info, namespace, name, sub } = route;
    const wantsTable = /as=Table/.test(String(req.headers.accept ?? ''));
    if (method === 'GET' && !name) {
      const items = this.cluster.list(
        info.name,
        namespace,
        (o) =>
          matchesLabels(o, url.searchParams.get('labelSelector') ?? '') &&
          matchesFields(o, url.searchParams.get('fieldSelector') ?? ''),
      );
      if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1')
        return watch(this.cluster, this.watches, route, url, items, res);
      if (wantsTable)
        return this.send(res, 200, table(info.name, items, this.cluster.resourceVersion), 'application/json');
      return this.send(res, 200, {
        kind: `${info.kind}List`,
        apiVersion: info.group ? `${info.group}/${info.version}` : info.version,
        metadata: { resourceVersion: this.cluster.resourceVersion },
        items,
      });
    }
    const current = name ? this.cluster.get(info.name, namespace, name) : undefined;
    if (method === 'GET') {
      if (!current) throw notFound(route);
      if (sub === 'scale') return this.send(res, 200, toScale(current));
      if (sub === 'log') return this.send(res, 200, podLog(current, url), 'text/plain');
      if (wantsTable) return this.send(res, 200, table(info.name, [current], this.cluster.resourceVersion));
      return this.send(res, 200, current);
    }
    if (method === 'PATCH' || method === 'PUT') {
      if (!current) throw notFound(route);
      return this.send(res, 200, writeObject(this.cluster, method, route, current, raw, contentType, dryRun));
    }
    throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  }
}
