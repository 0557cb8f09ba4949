/** Pure readings of what a responder looks at first: pods, their usage, autoscalers and warnings. */
import type { CoreV1Event, V1Pod, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import type { AutoscalerView, PodView } from '../runbook/ports.js';

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
export function podUsageOf(item: { metadata?: { name?: string }; containers?: { usage?: Record<string, string> }[] }) {
  const sum = (key: string) => (item.containers ?? []).reduce((n, c) => n + (quantity(c.usage?.[key] ?? '0') || 0), 0);
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
export function eventView(e: CoreV1Event) {
  return {
    at: stamp(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp),
    object: `${(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? ''}`,
    reason: e.reason ?? '',
    message: e.message ?? '',
    count: e.count ?? 1,
  };
}
