import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { createKubeCluster, loadKubeConfig } from '../../src/kube/cluster.js';
import { keepConnections } from '../../src/kube/connections.js';
import { FakeKube } from '../../src/playground/kube/server.js';

let kube: FakeKube;

beforeAll(async () => {
  kube = await new FakeKube().start();
  kube.cluster.addDeployment('shop', 'web', { image: 'shop/web:41', replicas: 1 });
});
afterAll(async () => {
  await kube.stop();
});

/** The TLS connections opened while `work` runs. */
async function opened(work: () => Promise<unknown>): Promise<number> {
  const before = kube.tlsConnections;
  await work();
  return kube.tlsConnections - before;
}

const reads = (n: number, read: () => Promise<unknown>) => async () => {
  for (let i = 0; i < n; i++) await read();
};

/** A kubeconfig for `server` that trusts its CA from a file (as an in-cluster service account does), and the file. */
function trustingCaFile(server: FakeKube): { path: string; caFile: string } {
  const path = server.kubeconfig();
  const caFile = join(path, '..', 'ca.crt');
  writeFileSync(caFile, server.ca);
  const config = readFileSync(path, 'utf8');
  writeFileSync(path, config.replace(/certificate-authority-data: .*/, `certificate-authority: ${caFile}`));
  return { path, caFile };
}

describe('connections to the API server', () => {
  it('are kept alive between calls, where client-node alone opens one per call', async () => {
    const bare = new KubeConfig();
    bare.loadFromFile(kube.kubeconfig());
    const apps = bare.makeApiClient(AppsV1Api);
    expect(await opened(reads(10, () => apps.readNamespacedDeployment({ namespace: 'shop', name: 'web' })))).toBe(10);

    // undici may open a second connection while the first call's socket is being handed back; then no more.
    const cluster = createKubeCluster(loadKubeConfig(kube.kubeconfig()));
    expect(await opened(reads(10, () => cluster.getDeployment('shop', 'web')))).toBeLessThanOrEqual(2);
    expect(await opened(reads(10, () => cluster.getDeployment('shop', 'web')))).toBe(0);
  });

  it('are opened afresh when the TLS material changes (a rotated CA file), then kept again', async () => {
    const { path, caFile } = trustingCaFile(kube);
    const cluster = createKubeCluster(loadKubeConfig(path));
    await reads(3, () => cluster.getDeployment('shop', 'web'))();
    expect(await opened(reads(3, () => cluster.getDeployment('shop', 'web')))).toBe(0);
    // The same CA, bundled twice: other bytes, still trusted.
    writeFileSync(caFile, `${kube.ca}\n${kube.ca}`);
    expect(await opened(reads(3, () => cluster.getDeployment('shop', 'web')))).toBeGreaterThanOrEqual(1);
    expect(await opened(reads(3, () => cluster.getDeployment('shop', 'web')))).toBe(0);
  });

  it('still send each call the credentials it has now', async () => {
    kube.tokens.set('viewer', { verbs: ['get'], resources: ['deployments'] });
    const kc = loadKubeConfig(kube.kubeconfig('viewer'));
    const viewer = createKubeCluster(kc);
    await reads(3, () => viewer.getDeployment('shop', 'web'))();
    // Forbidden, not unauthorized: the viewer's token went with the call on the kept connection.
    await expect(viewer.scale('shop', 'web', 2, { dryRun: true })).rejects.toMatchObject({ code: 'forbidden' });
    // A rotated token (as a service account's is) goes with the next call; the connection stays.
    kube.tokens.set('viewer-2', { verbs: ['get'], resources: ['deployments'] });
    kube.tokens.delete('viewer');
    (kc.getCurrentUser() as { token?: string }).token = 'viewer-2';
    expect(await opened(() => viewer.getDeployment('shop', 'web'))).toBe(0);
  });

  it('close the connections of a replaced identity once calls given them are done', async () => {
    const own = await new FakeKube().start();
    try {
      own.cluster.addDeployment('shop', 'web', { image: 'shop/web:41', replicas: 1 });
      const { path, caFile } = trustingCaFile(own);
      const kc = new KubeConfig();
      kc.loadFromFile(path);
      const cluster = createKubeCluster(keepConnections(kc, 50));
      await reads(3, () => cluster.getDeployment('shop', 'web'))();
      writeFileSync(caFile, `${own.ca}\n${own.ca}`);
      const before = own.tlsConnections;
      await reads(3, () => cluster.getDeployment('shop', 'web'))();
      const fresh = own.tlsConnections - before;
      await new Promise((r) => setTimeout(r, 300));
      // Only the new identity's connections are left open: the old Agent closed its own.
      expect(await own.openConnections()).toBe(fresh);
    } finally {
      await own.stop();
    }
  });
});
