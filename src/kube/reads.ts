import {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type V1Deployment,
  type V1ReplicaSet,
} from '@kubernetes/client-node';
import type { Cluster, DeploymentView, RevisionView } from '../runbook/ports.js';
import { autoscalerView, eventView, podUsageOf, podView } from './diagnostics.js';
import { httpCode, toClusterFailure } from './errors.js';
import { revisionOf, templateDigest } from './rollout.js';

/** Runs one API call, turning any failure into a `ClusterFailure` that names `what`. */
export async function call<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toClusterFailure(err, what);
  }
}

/** A deployment as the runbook domain sees it. */
export function view(d: V1Deployment): DeploymentView {
  const progressing = (d.status?.conditions ?? []).find((c) => c.type === 'Progressing');
  const meta = d.metadata ?? {};
  const spec = d.spec;
  return {
    namespace: meta.namespace ?? '',
    name: meta.name ?? '',
    resourceVersion: meta.resourceVersion ?? '',
    generation: meta.generation ?? 0,
    replicas: spec?.replicas ?? 1,
    revision: revisionOf(d),
    paused: !!spec?.paused,
    templateDigest: templateDigest(spec?.template),
    containers: (spec?.template.spec?.containers ?? []).map((c) => ({
      name: c.name,
      image: c.image ?? '',
      env: Object.fromEntries((c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, String(e.value)])),
      memoryLimit: c.resources?.limits?.memory ?? null,
    })),
    status: {
      observedGeneration: d.status?.observedGeneration ?? 0,
      replicas: d.status?.replicas ?? 0,
      updated: d.status?.updatedReplicas ?? 0,
      available: d.status?.availableReplicas ?? 0,
      progressDeadlineExceeded: progressing?.reason === 'ProgressDeadlineExceeded',
    },
  };
}

/** `app=web,tier=api`: the deployment's selector as a label selector. */
export const selectorOf = (d: V1Deployment) =>
  Object.entries(d.spec?.selector.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

const METRICS_MISSING =
  'metrics-server is not installed: the Metrics API (metrics.k8s.io) is not available, so there is no CPU or memory per pod (`kubectl top pod` says "Metrics API not available")';

/** The read-only half of the `Cluster` port. */
export function createKubeReads(kc: KubeConfig) {
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const autoscaling = kc.makeApiClient(AutoscalingV2Api);
  const read = (namespace: string, name: string) =>
    call(`reading deployment ${namespace}/${name}`, () => apps.readNamespacedDeployment({ namespace, name }));
  const pods = async (namespace: string, deployment: string) => {
    const d = await read(namespace, deployment);
    return (
      await call(`listing pods of ${namespace}/${deployment}`, () =>
        core.listNamespacedPod({ namespace, labelSelector: selectorOf(d) }),
      )
    ).items;
  };
  const replicaSets = async (d: V1Deployment) => {
    const namespace = d.metadata!.namespace!;
    const sets = await call(`reading the rollout history of ${namespace}/${d.metadata!.name}`, () =>
      apps.listNamespacedReplicaSet({ namespace, labelSelector: selectorOf(d) }),
    );
    return sets.items.filter((rs) => rs.metadata?.ownerReferences?.some((r) => r.uid === d.metadata!.uid));
  };

  const reads = {
    getDeployment: async (namespace, name) => view(await read(namespace, name)),

    listPods: async (namespace, deployment) => (await pods(namespace, deployment)).map(podView),

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
        })) as { items?: Parameters<typeof podUsageOf>[0][] };
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

    async history(namespace, deployment) {
      const d = await read(namespace, deployment);
      return (await replicaSets(d)).map(revisionView).sort((a, b) => a.revision - b.revision);
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

    async configMapValue(namespace, name, key) {
      const cm = await call(`reading ConfigMap ${namespace}/${name}`, () =>
        core.readNamespacedConfigMap({ namespace, name }),
      );
      return cm.data?.[key] ?? null;
    },
  } satisfies Partial<Cluster>;

  return { ...reads, apps, core, read, replicaSets };
}

/** A ReplicaSet as one revision of the rollout history. */
export function revisionView(rs: V1ReplicaSet): RevisionView {
  return {
    revision: revisionOf(rs),
    replicaSet: rs.metadata!.name!,
    images: (rs.spec?.template?.spec?.containers ?? []).map((c) => c.image ?? ''),
    templateDigest: templateDigest(rs.spec?.template),
  };
}
