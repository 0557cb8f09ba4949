import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeCluster, type KubeObject, sameSpec, type WatchEvent } from './cluster.js';
import { discovery, RESOURCES, type ResourceInfo, resourceFor } from './discovery.js';
import { type Json, jsonPatch, mergePatch, PatchError, strategicMergePatch } from './patch.js';
import { matchesFields, matchesLabels } from './selectors.js';
import { table } from './tables.js';

/** One rule of an RBAC Role: API groups, resources (`deployments/scale`), verbs, and optionally object names. */
export interface Rule {
  readonly apiGroups?: readonly string[];
  readonly verbs: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames?: readonly string[];
}

/** What a bearer token may do; absent means everything. */
export interface Grant {
  readonly verbs: readonly string[];
  readonly resources: readonly string[];
  readonly namespaces?: readonly string[];
  /** Rules as in an RBAC Role: a request is allowed when one rule allows both its verb and its resource. */
  readonly rules?: readonly Rule[];
  /** Roles bound in one namespace each (RoleBindings): a request in a namespace is checked against that namespace's rules. */
  readonly roles?: readonly { readonly namespace: string; readonly rules: readonly Rule[] }[];
}

/** An answer the server gives instead of serving a request, for tests of upstream failures. */
export interface Fault {
  readonly method: string;
  readonly path: RegExp;
  readonly status: number;
  readonly contentType: string;
  /** The body, built from the request's headers (a proxy's error page may echo them). */
  readonly body: (headers: Record<string, string | string[] | undefined>) => string;
  times: number;
}

const PATCH_TYPES: Record<string, (target: Json, patch: Json) => Json> = {
  'application/merge-patch+json': mergePatch,
  'application/strategic-merge-patch+json': (t, p) => strategicMergePatch(t, p),
  'application/json-patch+json': jsonPatch,
};

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

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
  private readonly faults: Fault[] = [];
  private readonly holds: { method: string; path: RegExp; ms: number; times: number }[] = [];
  private server?: Server;
  private readonly watches = new Set<ServerResponse>();
  url = '';
  /** The server's self-signed certificate (PEM): clients trust it through the kubeconfig. */
  ca = '';

  /** Serves HTTPS, as every API server does: kubectl sends no bearer token over plain HTTP. */
  async start(): Promise<this> {
    const dir = mkdtempSync(join(tmpdir(), 'fake-kube-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '2',
        '-subj',
        '/CN=fake-kube',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    this.ca = readFileSync(join(dir, 'cert.pem'), 'utf8');
    this.server = createServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: this.ca },
      (req, res) => void this.handle(req, res),
    );
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `https://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this;
  }

  /** A raw request to the server, trusting its certificate. */
  call(
    method: string,
    path: string,
    opts: { token?: string; contentType?: string; body?: string } = {},
  ): Promise<{ status: number; body: any }> {
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.url}${path}`,
        {
          method,
          ca: this.ca,
          headers: {
            authorization: `Bearer ${opts.token ?? 'fake-admin-token'}`,
            ...(opts.contentType && { 'content-type': opts.contentType }),
          },
        },
        (res) => {
          let data = '';
          res.on('data', (c: Buffer) => (data += c.toString('utf8')));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: safeJson(data) }));
        },
      );
      req.on('error', reject);
      req.end(opts.body);
    });
  }

  /** Answers the next `times` requests matching `method` and `path` with `status` and a body of its own. */
  fail(fault: Omit<Fault, 'times' | 'contentType'> & { times?: number; contentType?: string }): void {
    this.faults.push({ contentType: 'text/html', ...fault, times: fault.times ?? 1 });
  }

  /** Delays the next `times` requests matching `method` and `path` by `ms` before serving them. */
  hold(method: string, path: RegExp, ms: number, times = 1): void {
    this.holds.push({ method, path, ms, times });
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
    const path = join(mkdtempSync(join(tmpdir(), 'fake-kube-')), 'config');
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: fake',
        'clusters:',
        '- name: fake',
        '  cluster:',
        `    server: ${this.url}`,
        `    certificate-authority-data: ${Buffer.from(this.ca).toString('base64')}`,
        'users:',
        '- name: fake',
        '  user:',
        `    token: ${token}`,
        'contexts:',
        '- name: fake',
        '  context:',
        '    cluster: fake',
        '    user: fake',
        `    namespace: ${namespace}`,
        '',
      ].join('\n'),
    );
    return path;
  }

  private status(res: ServerResponse, err: ApiError): void {
    this.send(res, err.code, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: err.message,
      reason: err.reason,
      ...(err.details && { details: err.details }),
      code: err.code,
    });
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
    const hold = this.holds.find((h) => h.method === req.method && h.path.test(path) && h.times > 0);
    if (hold) {
      hold.times--;
      await new Promise((r) => setTimeout(r, hold.ms).unref());
    }
    const fault = this.faults.find((f) => f.method === req.method && f.path.test(path) && f.times > 0);
    if (fault) {
      fault.times--;
      return this.send(res, fault.status, fault.body(req.headers), fault.contentType);
    }
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
      this.authorize(token, req.method!, route, url);
      if (route.info.group === 'metrics.k8s.io') return this.send(res, 200, this.podMetrics(route, url));
      await this.serve(req.method!, route, url, raw, contentType, dryRun, req, res);
    } catch (err) {
      if (err instanceof ApiError) return this.status(res, err);
      if (err instanceof PatchError)
        return this.status(res, new ApiError(err.code, err.code === 422 ? 'Invalid' : 'BadRequest', err.message));
      this.status(res, new ApiError(500, 'InternalError', (err as Error).message));
    }
  }

  private authorize(token: string, method: string, route: Route, url: URL): void {
    const grant = this.tokens.get(token);
    if (!grant) return;
    const verb =
      method === 'GET'
        ? url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1'
          ? 'watch'
          : route.name
            ? 'get'
            : 'list'
        : method === 'PATCH'
          ? 'patch'
          : method === 'PUT'
            ? 'update'
            : method === 'POST'
              ? 'create'
              : 'delete';
    const resource = route.sub ? `${route.info.name}/${route.sub}` : route.info.name;
    // RBAC checks resourceNames on a list or watch only through a metadata.name field selector.
    const named =
      route.name ??
      (verb === 'list' || verb === 'watch'
        ? /(?:^|,)metadata\.name=([^,]+)/.exec(url.searchParams.get('fieldSelector') ?? '')?.[1]
        : undefined);
    const allows = (r: Rule) =>
      r.verbs.includes(verb) &&
      r.resources.includes(resource) &&
      (!r.apiGroups || r.apiGroups.includes(route.info.group)) &&
      (!r.resourceNames || (named !== undefined && r.resourceNames.includes(named)));
    const byRule = grant.roles
      ? grant.roles.some((role) => role.namespace === route.namespace && role.rules.some(allows))
      : grant.rules
        ? grant.rules.some(allows)
        : grant.verbs.includes(verb) && grant.resources.includes(resource);
    const allowed =
      byRule && (!grant.namespaces || (route.namespace !== undefined && grant.namespaces.includes(route.namespace)));
    if (!allowed) {
      const group = route.info.group ? `.${route.info.group}` : '';
      throw new ApiError(
        403,
        'Forbidden',
        `${route.info.name}${group}${route.name ? ` "${route.name}"` : ''} is forbidden: User "system:serviceaccount:firebreak:firebreak" cannot ${verb} resource "${route.info.name}"${route.sub ? ` subresource "${route.sub}"` : ''} in API group "${route.info.group}"${route.namespace ? ` in the namespace "${route.namespace}"` : ''}`,
        { name: route.name, group: route.info.group, kind: route.info.name },
      );
    }
  }

  private notFound(route: Route): ApiError {
    const group = route.info.group ? `.${route.info.group}` : '';
    return new ApiError(404, 'NotFound', `${route.info.name}${group} "${route.name}" not found`, {
      name: route.name,
      group: route.info.group,
      kind: route.info.name,
    });
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
      const items = this.cluster
        .list(info.name, namespace)
        .filter(
          (o) =>
            matchesLabels(o, url.searchParams.get('labelSelector') ?? '') &&
            matchesFields(o, url.searchParams.get('fieldSelector') ?? ''),
        );
      if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1')
        return this.watch(route, url, items, res);
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
      if (!current) throw this.notFound(route);
      if (sub === 'scale') return this.send(res, 200, toScale(current));
      if (sub === 'log') return this.send(res, 200, podLog(current, url), 'text/plain');
      if (wantsTable) return this.send(res, 200, table(info.name, [current], this.cluster.resourceVersion));
      return this.send(res, 200, current);
    }
    if (method === 'PATCH' || method === 'PUT') {
      if (!current) throw this.notFound(route);
      let body: Json;
      try {
        body = JSON.parse(raw) as Json;
      } catch {
        throw new ApiError(
          400,
          'BadRequest',
          'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
        );
      }
      const base = (sub === 'scale' ? toScale(current) : current) as unknown as Json;
      let next: Json;
      if (method === 'PATCH') {
        const apply = PATCH_TYPES[contentType];
        if (!apply)
          throw new ApiError(
            415,
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
          );
        if (contentType !== 'application/json-patch+json' && Array.isArray(body))
          throw new ApiError(
            400,
            'BadRequest',
            'json: cannot unmarshal array into Go value of type map[string]interface {}',
          );
        next = apply(structuredClone(base), body);
      } else {
        if (contentType !== 'application/json')
          throw new ApiError(
            415,
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`,
          );
        next = body;
      }
      const obj = next as unknown as KubeObject;
      const wanted = obj.metadata?.resourceVersion;
      if (wanted && wanted !== current.metadata.resourceVersion) {
        throw new ApiError(
          409,
          'Conflict',
          `Operation cannot be fulfilled on ${info.name}${info.group ? `.${info.group}` : ''} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
          { name, group: info.group, kind: info.name },
        );
      }
      // The status subresource changes status only, and the main resource never changes it.
      const updated =
        sub === 'scale'
          ? fromScale(current, obj)
          : sub === 'status'
            ? { ...current, status: obj.status }
            : {
                ...obj,
                status: current.status,
                metadata: {
                  ...obj.metadata,
                  name: current.metadata.name,
                  namespace: current.metadata.namespace,
                  uid: current.metadata.uid,
                  resourceVersion: current.metadata.resourceVersion,
                },
              };
      validate(info.name, updated);
      const saved = dryRun ? dryRunResult(current, updated) : this.cluster.put(info.name, updated);
      return this.send(res, 200, sub === 'scale' ? toScale(saved) : saved);
    }
    throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  }

  /** metrics-server's PodMetricsList for the namespace's pods that match the label selector. */
  private podMetrics(route: Route, url: URL) {
    const pods = this.cluster
      .list('pods', route.namespace)
      .filter((p) => matchesLabels(p, url.searchParams.get('labelSelector') ?? ''));
    const items = pods.map((p) => ({
      metadata: {
        name: p.metadata.name,
        namespace: p.metadata.namespace,
        labels: p.metadata.labels,
        creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      },
      timestamp: new Date(Date.now() - 10_000).toISOString().replace(/\.\d+Z$/, 'Z'),
      window: '15.005s',
      containers: p.spec.containers.map((c: any, i: number) => ({
        name: c.name,
        usage:
          i === 0
            ? (this.usage.get(`${p.metadata.namespace}/${p.metadata.name}`) ?? { cpu: '3127843n', memory: '24564Ki' })
            : { cpu: '0', memory: '0' },
      })),
    }));
    if (route.name) {
      const one = items.find((i) => i.metadata.name === route.name);
      if (!one) throw new ApiError(404, 'NotFound', `podmetrics.metrics.k8s.io "${route.name}" not found`);
      return { kind: 'PodMetrics', apiVersion: 'metrics.k8s.io/v1beta1', ...one };
    }
    return { kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items };
  }

  private watch(route: Route, url: URL, initial: KubeObject[], res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'application/json',
      'transfer-encoding': 'chunked',
      'cache-control': 'no-cache, private',
    });
    // A watch answers its headers at once, as the API server does; events follow as they happen.
    res.flushHeaders();
    const since = url.searchParams.get('resourceVersion');
    const labels = url.searchParams.get('labelSelector') ?? '';
    const fields = url.searchParams.get('fieldSelector') ?? '';
    const write = (e: WatchEvent) => res.write(`${JSON.stringify(e)}\n`);
    if (!since || since === '0') for (const o of initial) write({ type: 'ADDED', object: o });
    const stop = this.cluster.onChange((resource, e) => {
      if (resource !== route.info.name) return;
      if (route.namespace !== undefined && e.object.metadata.namespace !== route.namespace) return;
      if (since && Number(e.object.metadata.resourceVersion) <= Number(since)) return;
      if (matchesLabels(e.object, labels) && matchesFields(e.object, fields)) write(e);
    });
    this.watches.add(res);
    const timeout = setTimeout(() => res.end(), Number(url.searchParams.get('timeoutSeconds') ?? 300) * 1000);
    timeout.unref();
    res.on('close', () => {
      stop();
      clearTimeout(timeout);
      this.watches.delete(res);
    });
  }
}

interface Route {
  info: ResourceInfo;
  namespace?: string;
  name?: string;
  sub?: string;
}

/** `/api/v1/namespaces/ns/pods/name/log`, `/apis/apps/v1/namespaces/ns/deployments/name/scale`, cluster-wide lists. */
function parseResourcePath(path: string): Route | undefined {
  const m =
    /^\/(?:api\/v1|apis\/([a-z0-9.-]+)\/(v1|v2|v1beta1))(?:\/namespaces\/([a-z0-9-]+))?\/([a-z]+)(?:\/([a-z0-9.-]+))?(?:\/([a-z]+))?$/.exec(
      path,
    );
  if (!m) {
    const ns = /^\/api\/v1\/namespaces(?:\/([a-z0-9-]+))?$/.exec(path);
    return ns ? { info: RESOURCES.namespaces!, ...(ns[1] && { name: ns[1] }) } : undefined;
  }
  const [, group = '', version = 'v1', namespace, plural, name, sub] = m;
  const info = resourceFor(group, version, plural!);
  if (!info || (sub && !info.subresources.includes(sub))) return undefined;
  return { info, ...(namespace && { namespace }), ...(name && { name }), ...(sub && { sub }) };
}

function toScale(d: KubeObject): KubeObject {
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: d.metadata.name,
      namespace: d.metadata.namespace,
      uid: d.metadata.uid,
      resourceVersion: d.metadata.resourceVersion,
      creationTimestamp: d.metadata.creationTimestamp,
    },
    spec: { replicas: d.spec.replicas },
    status: {
      replicas: d.status?.replicas ?? 0,
      selector: Object.entries(d.spec.selector.matchLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    },
  };
}

function fromScale(d: KubeObject, scale: KubeObject): KubeObject {
  return { ...d, spec: { ...d.spec, replicas: scale.spec?.replicas } };
}

function validate(resource: string, o: KubeObject): void {
  if (resource === 'deployments') {
    const r = o.spec?.replicas;
    if (!Number.isInteger(r) || r < 0)
      throw new ApiError(
        422,
        'Invalid',
        `Deployment.apps "${o.metadata.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(r)}: must be greater than or equal to 0`,
      );
    if (
      !Array.isArray(o.spec?.template?.spec?.containers) ||
      !o.spec.template.spec.containers.every((c: any) => typeof c.image === 'string' && c.image)
    ) {
      throw new ApiError(
        422,
        'Invalid',
        `Deployment.apps "${o.metadata.name}" is invalid: spec.template.spec.containers: Required value`,
      );
    }
  }
}

/** What the server answers to `dryRun=All`: the object as it would be, stored nowhere. */
function dryRunResult(current: KubeObject, updated: KubeObject): KubeObject {
  const specChanged = !sameSpec(current.spec, updated.spec);
  return {
    ...updated,
    metadata: { ...updated.metadata, generation: (current.metadata.generation ?? 1) + (specChanged ? 1 : 0) },
    status: current.status,
  };
}

function podLog(pod: KubeObject, url: URL): string {
  const lines = Array.from(
    { length: 50 },
    (_, n) =>
      `${new Date(Date.now() - (50 - n) * 1000).toISOString()} ${n % 7 === 0 ? 'ERROR connection pool exhausted' : 'INFO request served'} pod=${pod.metadata.name}`,
  );
  const tail = Number(url.searchParams.get('tailLines') ?? lines.length);
  return `${lines.slice(-tail).join('\n')}\n`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
