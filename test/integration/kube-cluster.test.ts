import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ClusterFailure } from '../../src/errors.js';
import { createKubeCluster, loadKubeConfig } from '../../src/kube/cluster.js';
import { FakeKube } from '../../src/playground/kube/server.js';
import { deploymentBinding, verifierFor } from '../../src/runbook/binding.js';
import type { DeploymentView } from '../../src/runbook/cluster-views.js';
import type { Cluster } from '../../src/runbook/ports.js';
import { waitFor } from '../support/harness.js';

let kube: FakeKube;
let cluster: Cluster;

const patches = () => kube.requests.filter((r) => r.method === 'PATCH');
/** The check an approval of `action` as previewed on `d` makes before each attempt to apply. */
const bound = (action: string, d: DeploymentView) => verifierFor({ action, binding: deploymentBinding(action, d) });
const settled = () =>
  waitFor(
    () => {
      const d = kube.cluster.get('deployments', 'shop', 'web')!;
      return (
        d.status?.updatedReplicas === d.spec.replicas &&
        d.status?.availableReplicas === d.spec.replicas &&
        d.status?.replicas === d.spec.replicas
      );
    },
    10_000,
    'the rollout to settle',
  );
const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ClusterFailure);
    return err as ClusterFailure;
  }
  throw new Error('no failure');
};

beforeAll(async () => {
  kube = await new FakeKube().start();
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
  cluster = createKubeCluster(loadKubeConfig(kube.kubeconfig()));
  await settled();
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

  it('retries a patch that raced a status write on a fresh read, as RetryOnConflict does; a spec change stops it', async () => {
    await settled();
    const path = /\/deployments\/web\/scale$/;
    const pod = kube.cluster.list('pods', 'shop')[0]!.metadata.name;
    const before = await cluster.getDeployment('shop', 'web');
    const from = kube.requests.length;
    kube.hold('PATCH', path, 150);
    const scaling = cluster.scale('shop', 'web', before.replicas + 1, {
      dryRun: false,
      verify: bound('scale', before),
    });
    await waitFor(() => kube.requests.slice(from).some((r) => r.method === 'PATCH' && path.test(r.path)));
    kube.cluster.setPodReady('shop', pod, false);
    await scaling;
    kube.cluster.setPodReady('shop', pod, true);
    const attempts = kube.requests.slice(from).filter((r) => r.method === 'PATCH' && path.test(r.path));
    expect(attempts.map((r) => r.status)).toEqual([409, 200]);
    expect(kube.cluster.get('deployments', 'shop', 'web')!.spec.replicas).toBe(before.replicas + 1);
    await settled();

    const now = await cluster.getDeployment('shop', 'web');
    const mark = kube.requests.length;
    kube.hold('PATCH', path, 150);
    const racing = cluster.scale('shop', 'web', now.replicas + 1, { dryRun: false, verify: bound('scale', now) });
    await waitFor(() => kube.requests.slice(mark).some((r) => r.method === 'PATCH' && path.test(r.path)));
    await kube.scale('shop', 'web', 2);
    const changed = await failure(racing);
    expect(changed.message).toContain(`replicas ${now.replicas} → 2 changed by someone else after the preview`);
    expect(kube.cluster.get('deployments', 'shop', 'web')!.spec.replicas).toBe(2);
    await settled();
  });

  it('stops when the deployment changed since approval', async () => {
    const approved = { ...(await cluster.getDeployment('shop', 'web')), generation: 1 };
    const err = await failure(
      cluster.undo('shop', 'web', 0, { dryRun: false, verify: bound('rollout-undo', approved) }),
    );
    expect(err.code).toBe('conflict');
    expect(
      (
        await failure(
          cluster.restart('shop', 'web', new Date(), { dryRun: false, verify: bound('rollout-restart', approved) }),
        )
      ).code,
    ).toBe('conflict');
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
