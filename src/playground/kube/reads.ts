import type { ServerResponse } from 'node:http';
import { ApiError } from './api-error.js';
import type { FakeCluster } from './cluster.js';
import type { Route } from './routes.js';
import { matchesFields, matchesLabels } from './selectors.js';
import type { KubeObject, WatchEvent } from './store.js';

/** metrics-server's PodMetricsList for the namespace's pods that match the label selector. */
export function podMetrics(
  cluster: FakeCluster,
  usage: ReadonlyMap<string, { cpu: string; memory: string }>,
  route: Route,
  url: URL,
) {
  const pods = cluster.list('pods', route.namespace, (p) =>
    matchesLabels(p, url.searchParams.get('labelSelector') ?? ''),
  );
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
          ? (usage.get(`${p.metadata.namespace}/${p.metadata.name}`) ?? { cpu: '3127843n', memory: '24564Ki' })
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

/**
 * Streams watch events on `res`: the objects `initial` when no resourceVersion is given, then every
 * change of the route's resource that passes the selectors, until the timeout or the client leaves.
 */
export function watch(
  cluster: FakeCluster,
  watches: Set<ServerResponse>,
  route: Route,
  url: URL,
  initial: KubeObject[],
  res: ServerResponse,
): void {
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
  const stop = cluster.onChange((resource, e) => {
    if (resource !== route.info.name) return;
    if (route.namespace !== undefined && e.object.metadata.namespace !== route.namespace) return;
    if (since && Number(e.object.metadata.resourceVersion) <= Number(since)) return;
    if (matchesLabels(e.object, labels) && matchesFields(e.object, fields)) write(e);
  });
  watches.add(res);
  const timeout = setTimeout(() => res.end(), Number(url.searchParams.get('timeoutSeconds') ?? 300) * 1000);
  timeout.unref();
  res.on('close', () => {
    stop();
    clearTimeout(timeout);
    watches.delete(res);
  });
}

export function podLog(pod: KubeObject, url: URL): string {
  const lines = Array.from(
    { length: 50 },
    (_, n) =>
      `${new Date(Date.now() - (50 - n) * 1000).toISOString()} ${n % 7 === 0 ? 'ERROR connection pool exhausted' : 'INFO request served'} pod=${pod.metadata.name}`,
  );
  const tail = Number(url.searchParams.get('tailLines') ?? lines.length);
  return `${lines.slice(-tail).join('\n')}\n`;
}
