/** The `Cluster` port on @kubernetes/client-node, put together from its roles. */
import { KubeConfig } from '@kubernetes/client-node';
import type { Cluster } from '../runbook/ports.js';
import { createKubeApi } from './api.js';
import { keepConnections } from './connections.js';
import { createKubeDiagnostics } from './diagnostics.js';
import { createKubeMutations } from './mutations.js';
import { createKubeReads } from './reads.js';
import { createRolloutWatch } from './watch.js';

/**
 * Reads KUBECONFIG (or ~/.kube/config), or the in-cluster service account when there is none,
 * with its connections kept alive between calls. A kubeconfig is code: an `exec` credential
 * plugin in it runs as the bot, so mount it read-only.
 */
export function loadKubeConfig(kubeconfigPath: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
  else kc.loadFromDefault();
  return keepConnections(kc);
}

/** The `Cluster` port: reads, diagnostics, kubectl's mutations, and kubectl's rollout status. */
export function createKubeCluster(kc: KubeConfig): Cluster {
  const api = createKubeApi(kc);
  return {
    ...createKubeReads(api),
    ...createKubeDiagnostics(api),
    ...createKubeMutations(api),
    ...createRolloutWatch(kc, api),
  };
}
