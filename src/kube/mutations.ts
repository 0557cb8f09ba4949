/** The `ClusterMutations` role: kubectl's changes, each checked against the previewed spec before it applies. */
import {
  PatchStrategy,
  setHeaderOptions,
  type V1ConfigMap,
  type V1Container,
  type V1Deployment,
  type V1Scale,
} from '@kubernetes/client-node';
import { ClusterFailure } from '../errors.js';
import type { MutationOptions } from '../runbook/cluster-views.js';
import type { ClusterMutations } from '../runbook/ports.js';
import { call, type KubeApi } from './api.js';
import { httpCode, toClusterFailure } from './errors.js';
import { revisionView, view } from './reads.js';
import { rollbackPlan } from './rollout.js';

/**
 * client-go's `retry.DefaultRetry` (10 ms apart, 10% jitter), with ten attempts instead of five:
 * every attempt re-checks the previewed spec, so retrying is safe, and during an incident a
 * deployment's status can be written faster than five round trips.
 */
const RETRY = { steps: 10, ms: 10, jitter: 0.1 } as const;

/** The generation `test` of a rollback failed because the spec moved since the read: a race, retried like a 409. */
class GenerationMoved extends Error {}

/**
 * client-go's RetryOnConflict: `attempt` re-reads, checks and applies; a write that raced it (409,
 * or a rollback whose generation guard a concurrent spec write tripped) is tried again on a fresh
 * read, a bounded number of times. A failed check (`SpecChanged`), a 422 the server means (the
 * change is invalid) and any other failure end it at once; a change sent without a clear answer
 * is reported as possibly applied.
 */
async function retryOnConflict<T>(what: string, o: MutationOptions, attempt: () => Promise<T>) {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const raced = err instanceof GenerationMoved || httpCode(err) === 409;
      if (raced && n >= RETRY.steps)
        throw new ClusterFailure(
          'raced',
          `Nothing was applied while ${what}: its status changed under each of ${n} attempts (writes racing the patch); the approval still holds.`,
        );
      if (!raced) throw toClusterFailure(err, what, { sent: !o.dryRun });
      // A status write is over by the time its 409 arrives: the first retry goes at once, later ones back off.
      if (n > 1) await new Promise((r) => setTimeout(r, RETRY.ms * (1 + Math.random() * RETRY.jitter)));
    }
  }
}

/** A merge or strategic-merge patch body: the part of the object it sets. */
type Patch<T> = { [K in keyof T]?: PatchOf<NonNullable<T[K]>> };
type PatchOf<V> = V extends readonly (infer E)[] ? Patch<E>[] : V extends Date ? V : V extends object ? Patch<V> : V;

const dry = (o: MutationOptions) => (o.dryRun ? 'All' : undefined);
const header = (strategy: PatchStrategy) => setHeaderOptions('Content-Type', strategy);
/** With a check, the patch applies only to the version that was read and checked. */
const precondition = (o: MutationOptions, d: { metadata?: { resourceVersion?: string } }) =>
  o.verify ? { metadata: { resourceVersion: d.metadata?.resourceVersion } } : {};

/**
 * The mutating half of the `Cluster` port. Every mutation does what kubectl does, with the same
 * wire format and an explicit patch content type (the client's default is JSON Patch, which a
 * real server refuses for an object body).
 */
export function createKubeMutations(api: KubeApi): ClusterMutations {
  const { apps, core, read, replicaSets } = api;

  /** A strategic-merge patch of the deployment built from a fresh read, checked first. */
  const strategic = (
    namespace: string,
    name: string,
    body: (d: V1Deployment) => Patch<V1Deployment>,
    o: MutationOptions,
    what: string,
  ) =>
    retryOnConflict(what, o, async () => {
      const d = await read(namespace, name);
      const patch = body(d);
      o.verify?.({ kind: 'deployment', deployment: view(d) });
      const saved = await apps.patchNamespacedDeployment(
        { namespace, name, body: { ...patch, ...precondition(o, d) }, dryRun: dry(o) },
        header(PatchStrategy.StrategicMergePatch),
      );
      return view(saved);
    });
  const containers = (
    d: V1Deployment,
    container: string | undefined,
    part: Patch<V1Container>,
  ): Patch<V1Deployment> => ({
    spec: {
      template: { spec: { containers: [{ name: container ?? d.spec!.template.spec!.containers[0]!.name, ...part }] } },
    },
  });

  return {
    restart: (namespace, name, at, o) =>
      strategic(
        namespace,
        name,
        (d) => {
          if (d.spec?.paused)
            throw new ClusterFailure(
              'refused',
              `can't restart paused deployment ${namespace}/${name} (run rollout resume first)`,
            );
          const stamp = at.toISOString().replace(/\.\d+Z$/, 'Z');
          return { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': stamp } } } } };
        },
        o,
        `restarting ${namespace}/${name}`,
      ),

    async scale(namespace, name, replicas, o) {
      const seen = await retryOnConflict(`scaling ${namespace}/${name}`, o, async () => {
        const d = await read(namespace, name);
        o.verify?.({ kind: 'deployment', deployment: view(d) });
        await apps.patchNamespacedDeploymentScale(
          {
            namespace,
            name,
            body: { spec: { replicas }, ...precondition(o, d) } satisfies Patch<V1Scale>,
            dryRun: dry(o),
          },
          header(PatchStrategy.MergePatch),
        );
        return view(d);
      });
      // The change is in: a failed read after it must not say otherwise.
      const after = await read(namespace, name).then(view, () => seen);
      return o.dryRun || after === seen ? { ...after, replicas } : after;
    },

    undo: (namespace, name, revision, o) =>
      retryOnConflict(`rolling back ${namespace}/${name}`, o, async () => {
        const d = await read(namespace, name);
        const plan = rollbackPlan(d, await replicaSets(d), revision);
        if (plan.kind === 'error') {
          const missing = plan.message.startsWith('unable') || plan.message.startsWith('no rollout');
          if (!missing) throw new ClusterFailure('refused', plan.message);
          throw new ClusterFailure(
            'not_found',
            `${plan.message} (${namespace}/${name}). Nothing was applied; its rollout history lists the revisions to roll back to.`,
          );
        }
        if (plan.kind === 'already') return { outcome: 'already' as const, revision: plan.revision };
        const target = revisionView(plan.target);
        o.verify?.({ kind: 'deployment', deployment: view(d), rollbackTo: target });
        const patched = await apps
          .patchNamespacedDeployment(
            { namespace, name, body: plan.patch, dryRun: dry(o) },
            header(PatchStrategy.JsonPatch),
          )
          .catch(async (err: unknown) => {
            // A failed `test` is answered 422 like an invalid change: only a generation that moved makes it a race.
            if (httpCode(err) === 422 && (await read(namespace, name)).metadata?.generation !== d.metadata?.generation)
              throw new GenerationMoved();
            throw err;
          });
        return { outcome: 'patched' as const, revision: plan.revision, target, deployment: view(patched) };
      }),

    setImage: (namespace, name, container, image, o) =>
      strategic(
        namespace,
        name,
        (d) => containers(d, container, { image }),
        o,
        `setting the image of ${namespace}/${name}`,
      ),

    setEnv: (namespace, name, container, env, o) =>
      strategic(
        namespace,
        name,
        (d) => containers(d, container, { env: Object.entries(env).map(([k, v]) => ({ name: k, value: v })) }),
        o,
        `setting the environment of ${namespace}/${name}`,
      ),

    setMemoryLimit: (namespace, name, container, limit, o) =>
      strategic(
        namespace,
        name,
        (d) => containers(d, container, { resources: { limits: { memory: limit } } }),
        o,
        `raising the memory limit of ${namespace}/${name}`,
      ),

    patchConfigMap: (namespace, name, key, value, o) =>
      retryOnConflict(`patching ConfigMap ${namespace}/${name}`, o, async () => {
        const cm = await call(`reading ConfigMap ${namespace}/${name}`, () =>
          core.readNamespacedConfigMap({ namespace, name }),
        );
        const before = cm.data?.[key] ?? null;
        o.verify?.({ kind: 'configmap', value: before });
        await core.patchNamespacedConfigMap(
          {
            namespace,
            name,
            body: { data: { [key]: value }, ...precondition(o, cm) } satisfies Patch<V1ConfigMap>,
            dryRun: dry(o),
          },
          header(PatchStrategy.MergePatch),
        );
        return { before, after: value };
      }),
  };
}
