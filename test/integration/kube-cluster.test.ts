import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createKubeCluster, loadKubeConfig } from '../../src/kube/cluster.js';
import { FakeKube } from '../../src/playground/kube/server.js';
import type { Cluster } from '../../src/runbook/ports.js';
import { bound, clusterFailure as failure, startShopKube } from '../support/kube-fixture.js';

let kube: FakeKube;
let cluster: Cluster;
let settled: () => Promise<unknown>;

const patches = () => kube.requests.filter((r) => r.method === 'PATCH');

beforeAll(async () => {
  ({ kube, cluster, settled } = await startShopKube());
});
afterAll(async () => {
  await kube.stop();
});

describe('the Cluster adapter against the fake API server', () => {
  it('reads a deployment, its pods, history and events', async () => {
    const d = await cluster.getDeployment('shop', 'web');
    expect(d).toMatchObject({
      replicas: 3,
      revision: 1,
      paused: false,
      containers: [{ name: 'web', image: 'shop/web:41', env: { DB_POOL_MAX: '20' } }],
    });
    expect(await cluster.listPods('shop', 'web')).toHaveLength(3);
    expect((await cluster.history('shop', 'web')).map((r) => r.revision)).toEqual([1]);
    expect((await cluster.recentEvents('shop', 'web'))[0]!.reason).toBe('ScalingReplicaSet');
    const logs = await cluster.logs('shop', 'web', { tail: 50, filter: 'ERROR' });
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.every((l) => l.includes('ERROR'))).toBe(true);
  });

  it('dry-runs a restart on the server, then restarts with a strategic-merge patch', async () => {
    const before = await cluster.getDeployment('shop', 'web');
    await cluster.restart('shop', 'web', new Date(), { dryRun: true });
    expect(patches().at(-1)).toMatchObject({ contentType: 'application/strategic-merge-patch+json', dryRun: true });
    expect((await cluster.getDeployment('shop', 'web')).resourceVersion).toBe(before.resourceVersion);
    await cluster.restart('shop', 'web', new Date(), { dryRun: false, verify: bound('rollout-restart', before) });
    expect(patches().at(-1)).toMatchObject({ contentType: 'application/strategic-merge-patch+json', dryRun: false });
    const progress: string[] = [];
    const status = await cluster.rolloutStatus('shop', 'web', 10_000, (m) => progress.push(m));
    expect(status).toEqual({ done: true, message: 'deployment "web" successfully rolled out' });
    expect(progress.some((m) => m.startsWith('Waiting for deployment "web" rollout to finish'))).toBe(true);
    expect((await cluster.getDeployment('shop', 'web')).revision).toBe(2);
  });

  it('scales through the scale subresource with a merge patch', async () => {
    const preview = await cluster.scale('shop', 'web', 5, { dryRun: true });
    expect(preview.replicas).toBe(5);
    expect((await cluster.getDeployment('shop', 'web')).replicas).toBe(3);
    expect(patches().at(-1)).toMatchObject({ contentType: 'application/merge-patch+json', dryRun: true });
    expect(patches().at(-1)!.path).toContain('/deployments/web/scale');
    await cluster.scale('shop', 'web', 5, { dryRun: false });
    expect((await cluster.getDeployment('shop', 'web')).replicas).toBe(5);
    await settled();
  });

  it('sets env and memory limits, and patches a ConfigMap key', async () => {
    expect(
      (await cluster.setEnv('shop', 'web', undefined, { DB_POOL_MAX: '50' }, { dryRun: false })).containers[0]!.env
        .DB_POOL_MAX,
    ).toBe('50');
    await settled();
    expect(
      (await cluster.setMemoryLimit('shop', 'web', undefined, '1Gi', { dryRun: false })).containers[0]!.memoryLimit,
    ).toBe('1Gi');
    await settled();
    expect(await cluster.patchConfigMap('shop', 'app-config', 'LOG_LEVEL', 'debug', { dryRun: false })).toEqual({
      before: 'info',
      after: 'debug',
    });
  });

  it('rolls back as kubectl does: JSON patch, the old ReplicaSet reused, "already" instead of patching', async () => {
    const history = await cluster.history('shop', 'web');
    const sets = history.length;
    const r = await cluster.undo('shop', 'web', 1, { dryRun: false });
    expect(r).toMatchObject({ outcome: 'patched', revision: 1 });
    expect(patches().at(-1)!.contentType).toBe('application/json-patch+json');
    await settled();
    expect((await cluster.getDeployment('shop', 'web')).containers[0]).toMatchObject({
      image: 'shop/web:41',
      env: { DB_POOL_MAX: '20' },
      memoryLimit: null,
    });
    expect((await cluster.history('shop', 'web')).length).toBe(sets);
    const current = (await cluster.getDeployment('shop', 'web')).revision;
    expect(await cluster.undo('shop', 'web', current, { dryRun: false })).toEqual({
      outcome: 'already',
      revision: current,
    });
  });

  it('refuses to restart or roll back a paused deployment, as kubectl does', async () => {
    const d = kube.cluster.get('deployments', 'shop', 'web')!;
    kube.cluster.put('deployments', { ...d, spec: { ...d.spec, paused: true } });
    try {
      expect((await failure(cluster.restart('shop', 'web', new Date(), { dryRun: true }))).message).toContain(
        "can't restart paused deployment",
      );
      expect((await failure(cluster.undo('shop', 'web', 0, { dryRun: true }))).message).toContain(
        'you cannot rollback a paused deployment',
      );
    } finally {
      const p = kube.cluster.get('deployments', 'shop', 'web')!;
      kube.cluster.put('deployments', { ...p, spec: { ...p.spec, paused: false } });
    }
  });

  it('gives a plain message for not found, forbidden and an unreachable API server', async () => {
    const missing = await failure(cluster.getDeployment('shop', 'nope'));
    expect(missing.code).toBe('not_found');
    expect(missing.message).toContain('deployments.apps "nope" not found');
    kube.tokens.set('viewer', { verbs: ['get', 'list', 'watch'], resources: ['deployments', 'replicasets', 'pods'] });
    const viewer = createKubeCluster(loadKubeConfig(kube.kubeconfig('viewer')));
    const forbidden = await failure(viewer.scale('shop', 'web', 2, { dryRun: true }));
    expect(forbidden.code).toBe('forbidden');
    expect(forbidden.message).toContain('cannot patch resource "deployments" subresource "scale"');
    const gone = new FakeKube();
    await gone.start();
    const config = gone.kubeconfig();
    await gone.stop();
    const unreachable = await failure(createKubeCluster(loadKubeConfig(config)).getDeployment('shop', 'web'));
    expect(unreachable.code).toBe('unreachable');
  });

  it('reports a rollout that does not finish in time', async () => {
    kube.cluster.stalled = true;
    try {
      await new Promise((r) => setTimeout(r, 1100));
      await cluster.restart('shop', 'web', new Date(), { dryRun: false });
      const status = await cluster.rolloutStatus('shop', 'web', 800, () => undefined);
      expect(status.done).toBe(false);
      expect(status.message).toMatch(/^timed out after 1s: Waiting for deployment "web"/);
    } finally {
      kube.cluster.stalled = false;
    }
  });
});
