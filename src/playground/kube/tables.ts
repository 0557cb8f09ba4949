import type { KubeObject } from './store.js';

const age = (ts?: string) => {
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(ts ?? new Date().toISOString())) / 1000));
  return s < 120 ? `${s}s` : `${Math.floor(s / 60)}m`;
};

function hpaTargets(o: KubeObject): string {
  const metrics: any[] = o.spec.metrics ?? [];
  if (!metrics.length) return '<none>';
  return metrics
    .map((m, i) => {
      const current = o.status?.currentMetrics?.[i]?.resource?.current?.averageUtilization;
      const target = m.resource?.target?.averageUtilization;
      return `${m.resource?.name}: ${current === undefined ? '<unknown>' : `${current}%`}/${target}%`;
    })
    .join(', ');
}

/** Per resource, its columns (the first `shown` print without `-o wide`, as the API server's printers say). */
const COLUMNS: Record<string, { names: string[]; shown?: number; cells: (o: KubeObject) => unknown[] }> = {
  deployments: {
    names: ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector'],
    cells: (o) => [
      o.metadata.name,
      `${o.status?.readyReplicas ?? 0}/${o.spec.replicas}`,
      o.status?.updatedReplicas ?? 0,
      o.status?.availableReplicas ?? 0,
      age(o.metadata.creationTimestamp),
      o.spec.template.spec.containers.map((c: any) => c.name).join(','),
      o.spec.template.spec.containers.map((c: any) => c.image).join(','),
      Object.entries(o.spec.selector.matchLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    ],
  },
  replicasets: {
    names: ['Name', 'Desired', 'Current', 'Ready', 'Age'],
    cells: (o) => [
      o.metadata.name,
      o.spec.replicas,
      o.status?.replicas ?? 0,
      o.status?.readyReplicas ?? 0,
      age(o.metadata.creationTimestamp),
    ],
  },
  pods: {
    names: ['Name', 'Ready', 'Status', 'Restarts', 'Age'],
    cells: (o) => [
      o.metadata.name,
      `${(o.status?.containerStatuses ?? []).filter((c: any) => c.ready).length}/${o.spec.containers.length}`,
      o.status?.phase ?? 'Pending',
      (o.status?.containerStatuses ?? []).reduce((n: number, c: any) => n + (c.restartCount ?? 0), 0),
      age(o.metadata.creationTimestamp),
    ],
  },
  // pkg/printers/internalversion: printHorizontalPodAutoscaler and formatHPAMetrics.
  horizontalpodautoscalers: {
    names: ['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age'],
    shown: 7,
    cells: (o) => [
      o.metadata.name,
      `${o.spec.scaleTargetRef.kind}/${o.spec.scaleTargetRef.name}`,
      hpaTargets(o),
      o.spec.minReplicas ?? 1,
      o.spec.maxReplicas,
      o.status?.currentReplicas ?? 0,
      age(o.metadata.creationTimestamp),
    ],
  },
};

/** The server-side printing kubectl asks for (`Accept: ...;as=Table`); other resources print NAME and AGE. */
export function table(resource: string, items: KubeObject[], resourceVersion: string) {
  const def = COLUMNS[resource] ?? {
    names: ['Name', 'Age'],
    cells: (o: KubeObject) => [o.metadata.name, age(o.metadata.creationTimestamp)],
  };
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: def.names.map((name, n) => ({
      name,
      type:
        n === 0
          ? 'string'
          : typeof def.cells(
                items[0] ??
                  ({
                    metadata: {},
                    spec: { template: { spec: { containers: [] } }, selector: { matchLabels: {} }, containers: [] },
                  } as unknown as KubeObject),
              )[n] === 'number'
            ? 'integer'
            : 'string',
      format: n === 0 ? 'name' : '',
      description: name,
      priority: n >= (def.shown ?? 5) ? 1 : 0,
    })),
    rows: items.map((o) => ({
      cells: def.cells(o),
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
