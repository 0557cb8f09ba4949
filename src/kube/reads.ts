/** The `ClusterReads` role: what a change reads of its target, as the runbook domain sees it. */
import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import type { DeploymentView, RevisionView } from '../runbook/cluster-views.js';
import type { ClusterReads } from '../runbook/ports.js';
import { call, type KubeApi } from './api.js';
import { podView } from './diagnostics.js';
import { revisionOf, templateDigest } from './rollout.js';

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

/** A ReplicaSet as one revision of the rollout history. */
export function revisionView(rs: V1ReplicaSet): RevisionView {
  return {
    revision: revisionOf(rs),
    replicaSet: rs.metadata!.name!,
    images: (rs.spec?.template?.spec?.containers ?? []).map((c) => c.image ?? ''),
    templateDigest: templateDigest(rs.spec?.template),
  };
}

/** The `ClusterReads` role on client-node. */
export function createKubeReads(api: KubeApi): ClusterReads {
  const { core, read, pods, replicaSets } = api;
  return {
    getDeployment: async (namespace, name) => view(await read(namespace, name)),

    listPods: async (namespace, deployment) => (await pods(namespace, deployment)).map(podView),

    async history(namespace, deployment) {
      const d = await read(namespace, deployment);
      return (await replicaSets(d)).map(revisionView).sort((a, b) => a.revision - b.revision);
    },

    async configMapValue(namespace, name, key) {
      const cm = await call(`reading ConfigMap ${namespace}/${name}`, () =>
        core.readNamespacedConfigMap({ namespace, name }),
      );
      return cm.data?.[key] ?? null;
    },
  };
}
