/** The Kubernetes API clients, and the reads every role of the cluster adapter starts from. */
import {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type V1Deployment,
  type V1Pod,
  type V1ReplicaSet,
} from '@kubernetes/client-node';
import { toClusterFailure } from './errors.js';

/** Runs one API call, turning any failure into a `ClusterFailure` that names `what`. */
export async function call<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toClusterFailure(err, what);
  }
}

/** `app=web,tier=api`: the deployment's selector as a label selector. */
export const selectorOf = (d: V1Deployment) =>
  Object.entries(d.spec?.selector.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/** The API clients for one kubeconfig, with the deployment, its pods and its ReplicaSets as the API returns them. */
export function createKubeApi(kc: KubeConfig) {
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const autoscaling = kc.makeApiClient(AutoscalingV2Api);

  /** The deployment. */
  const read = (namespace: string, name: string): Promise<V1Deployment> =>
    call(`reading deployment ${namespace}/${name}`, () => apps.readNamespacedDeployment({ namespace, name }));

  /** The pods the deployment's selector matches. */
  const pods = async (namespace: string, deployment: string): Promise<V1Pod[]> => {
    const d = await read(namespace, deployment);
    const list = await call(`listing pods of ${namespace}/${deployment}`, () =>
      core.listNamespacedPod({ namespace, labelSelector: selectorOf(d) }),
    );
    return list.items;
  };

  /** The ReplicaSets the deployment owns: its rollout history. */
  const replicaSets = async (d: V1Deployment): Promise<V1ReplicaSet[]> => {
    const namespace = d.metadata!.namespace!;
    const sets = await call(`reading the rollout history of ${namespace}/${d.metadata!.name}`, () =>
      apps.listNamespacedReplicaSet({ namespace, labelSelector: selectorOf(d) }),
    );
    return sets.items.filter((rs) => rs.metadata?.ownerReferences?.some((r) => r.uid === d.metadata!.uid));
  };

  return { apps, core, custom, autoscaling, read, pods, replicaSets };
}

export type KubeApi = ReturnType<typeof createKubeApi>;
