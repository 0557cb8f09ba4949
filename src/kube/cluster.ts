import { KubeConfig, type V1Deployment, Watch } from '@kubernetes/client-node';
import type { Cluster } from '../runbook/ports.js';
import { toClusterFailure } from './errors.js';
import { createKubeMutations } from './mutations.js';
import { createKubeReads } from './reads.js';
import { rolloutStatus } from './rollout.js';

export { toClusterFailure } from './errors.js';

/**
 * Reads KUBECONFIG (or ~/.kube/config), or the in-cluster service account when there is none.
 * A kubeconfig is code: an `exec` credential plugin in it runs as the bot, so mount it read-only.
 */
export function loadKubeConfig(kubeconfigPath: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
  else kc.loadFromDefault();
  return kc;
}

/** The `Cluster` port on @kubernetes/client-node: reads, kubectl's mutations, and kubectl's rollout status. */
export function createKubeCluster(kc: KubeConfig): Cluster {
  const reads = createKubeReads(kc);
  const { apps: _apps, core: _core, read, replicaSets: _sets, ...readPort } = reads;
  return {
    ...readPort,
    ...createKubeMutations(reads),

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
                `the watch ended (${err ? toClusterFailure(err, `watching ${namespace}/${name}`).message : 'closed by the server'}); last state: ${last}`,
              ),
          )
          .then(
            (a) => {
              abort = a;
            },
            (err: unknown) => finish(false, toClusterFailure(err, `watching ${namespace}/${name}`).message),
          );
      });
    },
  };
}
