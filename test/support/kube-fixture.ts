/** The fake API server with shop/web (and ConfigMap app-config), and the bot's Cluster adapter on it. */
import { expect } from '@jest/globals';
import { ClusterFailure } from '../../src/errors.js';
import { createKubeCluster, loadKubeConfig } from '../../src/kube/cluster.js';
import { FakeKube } from '../../src/playground/kube/server.js';
import { deploymentBinding, verifierFor } from '../../src/runbook/binding.js';
import type { DeploymentView } from '../../src/runbook/cluster-views.js';
import type { Cluster } from '../../src/runbook/ports.js';
import { settled as settledIn } from './runbook-driver.js';

/** Starts the fake with shop/web rolled out, and the adapter the bot uses, with an admin token. */
export async function startShopKube(): Promise<{ kube: FakeKube; cluster: Cluster; settled: () => Promise<unknown> }> {
  const kube = await new FakeKube().start();
  kube.cluster.addDeployment('shop', 'web', {
    image: 'shop/web:41',
    replicas: 3,
    env: [{ name: 'DB_POOL_MAX', value: '20' }],
  });
  kube.cluster.put('configmaps', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'app-config', namespace: 'shop' },
    data: { LOG_LEVEL: 'info' },
  });
  const cluster = createKubeCluster(loadKubeConfig(kube.kubeconfig()));
  const settled = () => settledIn(kube.cluster, 'shop');
  await settled();
  return { kube, cluster, settled };
}

/** The check an approval of `action` as previewed on `d` makes before each attempt to apply. */
export const bound = (action: string, d: DeploymentView) =>
  verifierFor({ action, binding: deploymentBinding(action, d) });

/** The `ClusterFailure` that `p` failed with; fails the test when it did not fail so. */
export async function clusterFailure(p: Promise<unknown>): Promise<ClusterFailure> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ClusterFailure);
    return err as ClusterFailure;
  }
  throw new Error('no failure');
}
