import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
  Watch,
} from '@kubernetes/client-node';
import { type Cluster, ClusterFailure, type DeploymentView, type MutationOptions } from '../runbook/ports.js';
import { revisionOf, rollbackPlan, rolloutStatus } from './rollout.js';

/** Reads KUBECONFIG (or ~/.kube/config), or the in-cluster service account when there is none. */
export function loadKubeConfig(kubeconfigPath: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
  else kc.loadFromDefault();
  return kc;
}

/** Maps an API error (a `Status` object, or a network failure) to a `ClusterFailure` with a plain message. */
export function toClusterFailure(err: unknown, what: string): ClusterFailure {
  if (err instanceof ClusterFailure) return err;
  const e = err as { code?: number | string; body?: unknown; message?: string };
  const status =
    typeof e.body === 'string' ? safeJson(e.body) : (e.body as { message?: string; reason?: string } | undefined);
  const detail = (status as { message?: string } | undefined)?.message ?? e.message ?? 'unknown error';
  switch (e.code) {
    case 401:
    case 403:
      return new ClusterFailure(
        'forbidden',
        `The cluster refused ${what}: ${detail}. The bot's service account needs that permission (see manifests/rbac.yaml).`,
      );
    case 404:
      return new ClusterFailure('not_found', `Not found while ${what}: ${detail}. Check the namespace and name.`);
    case 409:
      return new ClusterFailure(
        'conflict',
        `The object changed while ${what} (${detail}). Nothing was applied; review the new preview and approve again.`,
      );
    case 400:
    case 415:
    case 422:
      return new ClusterFailure('invalid', `The cluster rejected ${what}: ${detail}.`);
    default:
      return new ClusterFailure(
        'unreachable',
        `The Kubernetes API could not be reached while ${what} (${detail}). Nothing was applied; try again when the API server answers.`,
      );
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

function view(d: V1Deployment): DeploymentView {
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

const dry = (o: MutationOptions) => (o.dryRun ? 'All' : undefined);
const header = (strategy: PatchStrategy) => setHeaderOptions('Content-Type', strategy);

/**
 * The `Cluster` port on @kubernetes/client-node. Every mutation does what
 * kubectl does, with the same wire format and an explicit patch content type
 * (the client's default is JSON Patch, which a real server refuses for an
 * object body).
 */
export function createKubeCluster(kc: KubeConfig): Cluster {
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const call = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      throw toClusterFailure(err, what);
    }
  };
  const read = (namespace: string, name: string) =>
    call(`reading deployment ${namespace}/${name}`, () => apps.readNamespacedDeployment({ namespace, name }));
  const selectorOf = (d: V1Deployment) =>
    Object.entries(d.spec?.selector.matchLabels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
  /** A strategic-merge patch of the deployment, guarded by the approved resourceVersion. */
  const strategic = (
    namespace: string,
    name: string,
    body: Record<string, unknown>,
    o: MutationOptions,
    what: string,
  ) =>
    call(what, async () =>
      view(
        await apps.patchNamespacedDeployment(
          {
            namespace,
            name,
            body: { ...body, ...(o.resourceVersion && { metadata: { resourceVersion: o.resourceVersion } }) },
            dryRun: dry(o),
          },
          header(PatchStrategy.StrategicMergePatch),
        ),
      ),
    );
  const containerOf = async (namespace: string, name: string, container: string | undefined) =>
    container ?? (await read(namespace, name)).spec!.template.spec!.containers[0]!.name;

  return {
    getDeployment: async (namespace, name) => view(await read(namespace, name)),

    async listPods(namespace, deployment) {
      const d = await read(namespace, deployment);
      const pods = await call(`listing pods of ${namespace}/${deployment}`, () =>
        core.listNamespacedPod({ namespace, labelSelector: selectorOf(d) }),
      );
      return pods.items.map((p) => ({
        name: p.metadata!.name!,
        phase: p.status?.phase ?? 'Unknown',
        ready: (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
        restarts: (p.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0),
      }));
    },

    async recentEvents(namespace, deployment) {
      const events = await call(`reading events of ${namespace}/${deployment}`, () =>
        core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${deployment}` }),
      );
      return events.items
        .map((e) => ({
          at: String(e.lastTimestamp ?? e.eventTime ?? ''),
          reason: e.reason ?? '',
          message: e.message ?? '',
        }))
        .sort((a, b) => a.at.localeCompare(b.at))
        .slice(-20);
    },

    async history(namespace, deployment) {
      const d = await read(namespace, deployment);
      const sets = await call(`reading the rollout history of ${namespace}/${deployment}`, () =>
        apps.listNamespacedReplicaSet({ namespace, labelSelector: selectorOf(d) }),
      );
      return sets.items
        .filter((rs) => rs.metadata?.ownerReferences?.some((r) => r.uid === d.metadata!.uid))
        .map((rs) => ({
          revision: revisionOf(rs),
          replicaSet: rs.metadata!.name!,
          images: (rs.spec?.template?.spec?.containers ?? []).map((c) => c.image ?? ''),
        }))
        .sort((a, b) => a.revision - b.revision);
    },

    async logs(namespace, deployment, opts) {
      const d = await read(namespace, deployment);
      const pods = await call(`listing pods of ${namespace}/${deployment}`, () =>
        core.listNamespacedPod({ namespace, labelSelector: selectorOf(d) }),
      );
      const lines: string[] = [];
      for (const p of pods.items.slice(0, 5)) {
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

    async restart(namespace, name, at, o) {
      const d = await read(namespace, name);
      if (d.spec?.paused)
        throw new ClusterFailure(
          'refused',
          `can't restart paused deployment ${namespace}/${name} (run rollout resume first)`,
        );
      const stamp = at.toISOString().replace(/\.\d+Z$/, 'Z');
      return strategic(
        namespace,
        name,
        { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': stamp } } } } },
        o,
        `restarting ${namespace}/${name}`,
      );
    },

    async scale(namespace, name, replicas, o) {
      await call(`scaling ${namespace}/${name}`, () =>
        apps.patchNamespacedDeploymentScale(
          {
            namespace,
            name,
            body: {
              spec: { replicas },
              ...(o.resourceVersion && { metadata: { resourceVersion: o.resourceVersion } }),
            },
            dryRun: dry(o),
          },
          header(PatchStrategy.MergePatch),
        ),
      );
      const after = view(await read(namespace, name));
      return o.dryRun ? { ...after, replicas } : after;
    },

    async undo(namespace, name, revision, o) {
      const d = await read(namespace, name);
      if (o.resourceVersion && d.metadata!.resourceVersion !== o.resourceVersion)
        throw new ClusterFailure(
          'conflict',
          `deployment ${namespace}/${name} changed since it was approved (resourceVersion ${o.resourceVersion} → ${d.metadata!.resourceVersion}). Nothing was applied; review the new preview and approve again.`,
        );
      const sets = await call(`reading the rollout history of ${namespace}/${name}`, () =>
        apps.listNamespacedReplicaSet({ namespace, labelSelector: selectorOf(d) }),
      );
      const plan = rollbackPlan(d, sets.items, revision);
      if (plan.kind === 'error')
        throw new ClusterFailure(
          plan.message.startsWith('unable') || plan.message.startsWith('no rollout') ? 'not_found' : 'refused',
          plan.message,
        );
      if (plan.kind === 'already') return { outcome: 'already', revision: plan.revision };
      const patched = await call(`rolling back ${namespace}/${name}`, () =>
        apps.patchNamespacedDeployment(
          { namespace, name, body: plan.patch, dryRun: dry(o) },
          header(PatchStrategy.JsonPatch),
        ),
      );
      return { outcome: 'patched', revision: plan.revision, deployment: view(patched) };
    },

    async setImage(namespace, name, container, image, o) {
      return strategic(
        namespace,
        name,
        { spec: { template: { spec: { containers: [{ name: container, image }] } } } },
        o,
        `setting the image of ${namespace}/${name}`,
      );
    },

    async setEnv(namespace, name, container, env, o) {
      const c = await containerOf(namespace, name, container);
      return strategic(
        namespace,
        name,
        {
          spec: {
            template: {
              spec: { containers: [{ name: c, env: Object.entries(env).map(([k, v]) => ({ name: k, value: v })) }] },
            },
          },
        },
        o,
        `setting the environment of ${namespace}/${name}`,
      );
    },

    async setMemoryLimit(namespace, name, container, limit, o) {
      const c = await containerOf(namespace, name, container);
      return strategic(
        namespace,
        name,
        { spec: { template: { spec: { containers: [{ name: c, resources: { limits: { memory: limit } } }] } } } },
        o,
        `raising the memory limit of ${namespace}/${name}`,
      );
    },

    async patchConfigMap(namespace, name, key, value, o) {
      const before = await call(`reading ConfigMap ${namespace}/${name}`, () =>
        core.readNamespacedConfigMap({ namespace, name }),
      );
      await call(`patching ConfigMap ${namespace}/${name}`, () =>
        core.patchNamespacedConfigMap(
          {
            namespace,
            name,
            body: {
              data: { [key]: value },
              ...(o.resourceVersion && { metadata: { resourceVersion: o.resourceVersion } }),
            },
            dryRun: dry(o),
          },
          header(PatchStrategy.MergePatch),
        ),
      );
      return { before: before.data?.[key] ?? null, after: value };
    },

    async rolloutStatus(namespace, name, timeoutMs, onProgress) {
      let last = '';
      const deadline = Date.now() + timeoutMs;
      const report = (d: V1Deployment) => {
        const s = rolloutStatus(d);
        if (s.message !== last) {
          last = s.message;
          onProgress(last);
        }
        return s;
      };
      const first = report(await read(namespace, name));
      if (first.done || first.failed) return { done: first.done, message: first.message };
      return new Promise((resolve) => {
        let abort: AbortController | undefined;
        let settled = false;
        const finish = (done: boolean, message: string) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          abort?.abort();
          resolve({ done, message });
        };
        const timer = setTimeout(
          () => finish(false, `timed out after ${Math.round(timeoutMs / 1000)}s: ${last}`),
          Math.max(0, deadline - Date.now()),
        );
        new Watch(kc)
          .watch(
            `/apis/apps/v1/namespaces/${namespace}/deployments`,
            { fieldSelector: `metadata.name=${name}` },
            (_type, obj) => {
              const s = report(obj);
              if (s.done || s.failed) finish(s.done, s.message);
            },
            (err) =>
              !settled &&
              finish(
                false,
                `the watch ended: ${(err as Error | undefined)?.message ?? 'closed by the server'}; last state: ${last}`,
              ),
          )
          .then(
            (a) => (abort = a),
            (err: unknown) => finish(false, toClusterFailure(err, `watching ${namespace}/${name}`).message),
          );
      });
    },
  };
}
