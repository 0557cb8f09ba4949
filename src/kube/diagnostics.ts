/** The `ClusterDiagnostics` role: what a responder looks at first, read and shown as kubectl shows it. */
import type { CoreV1Event, PodMetric, PodMetricsList, V1Pod, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import type { AutoscalerView, PodUsageView, PodView, WarningEventView } from '../runbook/cluster-views.js';
import type { ClusterDiagnostics } from '../runbook/ports.js';
import { call, type KubeApi, selectorOf } from './api.js';
import { httpCode, toClusterFailure } from './errors.js';

const stamp = (t: Date | string | undefined) => (t ? new Date(t).toISOString().replace(/\.\d+Z$/, 'Z') : '');

/** A pod with its restarts and the most recent termination of any of its containers. */
export function podView(p: V1Pod): PodView {
  const statuses = p.status?.containerStatuses ?? [];
  const last = statuses
    .map((c) => c.lastState?.terminated)
    .filter((t) => !!t)
    .sort((a, b) => stamp(a.finishedAt).localeCompare(stamp(b.finishedAt)))
    .at(-1);
  return {
    name: p.metadata?.name ?? '',
    phase: p.status?.phase ?? 'Unknown',
    ready: (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    restarts: statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0),
    lastTermination: last
      ? { reason: last.reason ?? 'Unknown', exitCode: last.exitCode ?? 0, at: stamp(last.finishedAt) }
      : null,
  };
}

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/** A Kubernetes quantity ("250m", "128974848", "129Mi", "1.5Gi") as a number; NaN when it is not one. */
export function quantity(text: string): number {
  const m = /^([0-9.]+)(n|u|m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(text.trim());
  return m ? Number(m[1]) * SUFFIX[m[2] ?? '']! : Number.NaN;
}

/** A PodMetrics item as kubectl top sums it: CPU in millicores and memory in bytes over its containers. */
export function podUsageOf(item: PodMetric): PodUsageView {
  const sum = (key: 'cpu' | 'memory') =>
    (item.containers ?? []).reduce((n, c) => n + (quantity(c.usage?.[key] ?? '0') || 0), 0);
  return {
    name: item.metadata?.name ?? '',
    cpuMillicores: Math.round(sum('cpu') * 1000),
    memoryBytes: Math.round(sum('memory')),
  };
}

/** An HPA as `kubectl get hpa` shows it: replicas, bounds, and each metric as current/target. */
export function autoscalerView(h: V2HorizontalPodAutoscaler): AutoscalerView {
  const current = h.status?.currentMetrics ?? [];
  const targets = (h.spec?.metrics ?? []).map((m, i) => {
    if (m.type !== 'Resource' || !m.resource) return `${m.type}`;
    const now = current[i]?.resource?.current;
    const want = m.resource.target;
    const value = (v: typeof want | typeof now) =>
      v?.averageUtilization !== undefined ? `${v.averageUtilization}%` : (v?.averageValue ?? v?.value ?? '<unknown>');
    return `${m.resource.name}: ${now ? value(now) : '<unknown>'}/${value(want)}`;
  });
  const troubles = (h.status?.conditions ?? []).filter(
    (c) => (c.type === 'ScalingLimited' && c.status === 'True') || (c.type !== 'ScalingLimited' && c.status !== 'True'),
  );
  return {
    name: h.metadata?.name ?? '',
    minReplicas: h.spec?.minReplicas ?? 1,
    maxReplicas: h.spec?.maxReplicas ?? 0,
    currentReplicas: h.status?.currentReplicas ?? 0,
    desiredReplicas: h.status?.desiredReplicas ?? 0,
    targets,
    conditions: troubles.map((c) => `${c.type} ${c.status}: ${c.reason ?? ''}`.trim()),
  };
}

/** An event as a line's worth of facts, for the events of a deployment and what it owns. */
export function eventView(e: CoreV1Event): WarningEventView {
  return {
    at: stamp(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp),
    object: `${(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? ''}`,
    reason: e.reason ?? '',
    message: e.message ?? '',
    count: e.count ?? 1,
  };
}

const METRICS_MISSING =
  'metrics-server is not installed: the Metrics API (metrics.k8s.io) is not available, so there is no CPU or memory per pod (`kubectl top pod` says "Metrics API not available")';

/** The `ClusterDiagnostics` role on client-node. */
export function createKubeDiagnostics(api: KubeApi): ClusterDiagnostics {
  const { core, custom, autoscaling, read, pods, replicaSets } = api;
  return {
    async recentEvents(namespace, deployment) {
      const events = await call(`reading events of ${namespace}/${deployment}`, () =>
        core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${deployment}` }),
      );
      return events.items
        .map(eventView)
        .sort((a, b) => a.at.localeCompare(b.at))
        .slice(-20)
        .map(({ at, reason, message }) => ({ at, reason, message }));
    },

    async warningEvents(namespace, deployment) {
      const d = await read(namespace, deployment);
      const owned = new Set([
        deployment,
        ...(await replicaSets(d)).map((rs) => rs.metadata!.name!),
        ...(await pods(namespace, deployment)).map((p) => p.metadata!.name!),
      ]);
      const events = await call(`reading warning events in ${namespace}`, () =>
        core.listNamespacedEvent({ namespace, fieldSelector: 'type=Warning' }),
      );
      return events.items
        .filter((e) => owned.has(e.involvedObject?.name ?? ''))
        .map(eventView)
        .sort((a, b) => a.at.localeCompare(b.at))
        .slice(-20);
    },

    async podUsage(namespace, deployment) {
      const d = await read(namespace, deployment);
      try {
        const list = (await custom.listNamespacedCustomObject({
          group: 'metrics.k8s.io',
          version: 'v1beta1',
          namespace,
          plural: 'pods',
          labelSelector: selectorOf(d),
        })) as PodMetricsList;
        return { available: true, pods: (list.items ?? []).map(podUsageOf) };
      } catch (err) {
        if (httpCode(err) === 404) return { available: false, reason: METRICS_MISSING };
        if (httpCode(err) === 503)
          return { available: false, reason: 'metrics-server is installed but not answering (503); try again shortly' };
        throw toClusterFailure(err, `reading pod metrics of ${namespace}/${deployment}`);
      }
    },

    async autoscalers(namespace, deployment) {
      const list = await call(`listing autoscalers in ${namespace}`, () =>
        autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace }),
      );
      return list.items
        .filter((h) => h.spec?.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === deployment)
        .map(autoscalerView);
    },

    async logs(namespace, deployment, opts) {
      const lines: string[] = [];
      for (const p of (await pods(namespace, deployment)).slice(0, 5)) {
        const text = await call(`reading logs of ${p.metadata!.name}`, () =>
          core.readNamespacedPodLog({ namespace, name: p.metadata!.name!, tailLines: opts.tail }),
        );
        lines.push(
          ...String(text)
            .split('\n')
            .filter((l) => l && (!opts.filter || l.includes(opts.filter)))
            .map((l) => `${p.metadata!.name}: ${l}`),
        );
      }
      return lines.slice(-opts.tail);
    },
  };
}
