/** The `RolloutWatch` role: kubectl's rollout status, followed with a watch on the deployment. */
import { type KubeConfig, type V1Deployment, Watch } from '@kubernetes/client-node';
import type { RolloutResult } from '../runbook/cluster-views.js';
import type { RolloutWatch } from '../runbook/ports.js';
import type { KubeApi } from './api.js';
import { toClusterFailure } from './errors.js';
import { rolloutStatus } from './rollout.js';

/** The `RolloutWatch` role on client-node: a read, then a watch until done, failed, timed out or ended. */
export function createRolloutWatch(kc: KubeConfig, api: KubeApi): RolloutWatch {
  return {
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
      const first = report(await api.read(namespace, name));
      if (first.done || first.failed) return { done: first.done, message: first.message };
      return new Promise<RolloutResult>((resolve) => {
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
        const ended = (err: unknown) =>
          err ? toClusterFailure(err, `watching ${namespace}/${name}`).message : 'closed by the server';
        new Watch(kc)
          .watch(
            `/apis/apps/v1/namespaces/${namespace}/deployments`,
            { fieldSelector: `metadata.name=${name}` },
            (_phase: string, obj: V1Deployment) => {
              const s = report(obj);
              if (s.done || s.failed) finish(s.done, s.message);
            },
            (err: unknown) => !settled && finish(false, `the watch ended (${ended(err)}); last state: ${last}`),
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
