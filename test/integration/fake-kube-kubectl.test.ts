import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ReplicaSet } from 'kubernetes-models/apps/v1/ReplicaSet';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Pod } from 'kubernetes-models/v1/Pod';
import { FakeKube } from '../../src/playground/kube/server.js';
import { waitFor } from '../support/harness.js';

let kube: FakeKube;
let config: string;

/** The real kubectl on this machine, with a fresh cache so no discovery is reused between runs (async: the fake answers from this process). */
function kubectl(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      [
        '--kubeconfig',
        config,
        '--cache-dir',
        mkdtempSync(join(tmpdir(), 'kubectl-cache-')),
        '--request-timeout=10s',
        ...args,
      ],
      { encoding: 'utf8', timeout: 30_000 },
      (err, out, errOut) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out, err: errOut });
      },
    );
  });
}

const deployment = () => kube.cluster.get('deployments', 'shop', 'web')!;
const sets = () => kube.cluster.list('replicasets', 'shop');
const settled = () =>
  waitFor(
    () => {
      const d = deployment();
      return (
        d.status?.updatedReplicas === d.spec.replicas &&
        d.status?.availableReplicas === d.spec.replicas &&
        d.status?.replicas === d.spec.replicas
      );
    },
    10_000,
    'the rollout to settle',
  );

beforeAll(async () => {
  kube = await new FakeKube().start();
  kube.cluster.addDeployment('shop', 'web', { image: 'nginx:1.27', replicas: 3 });
  config = kube.kubeconfig('fake-admin-token', 'shop');
  await settled();
});
afterAll(async () => {
  await kube.stop();
});

describe('the fake Kubernetes API server, driven by the real kubectl', () => {
  it('kubectl get deploy', async () => {
    const r = await kubectl('get', 'deploy');
    expect(r.err).toBe('');
    expect(r.out).toMatch(/NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
    expect(r.out).toMatch(/web\s+3\/3\s+3\s+3/);
  });

  it('kubectl scale --dry-run=server changes nothing; kubectl scale does', async () => {
    const dry = await kubectl('scale', 'deploy/web', '--replicas=5', '--dry-run=server');
    expect(dry.out.trim()).toBe('deployment.apps/web scaled (server dry run)');
    expect(deployment().spec.replicas).toBe(3);
    expect(
      kube.requests.some((r) => r.method === 'PATCH' && r.path.includes('/deployments/web/scale') && r.dryRun),
    ).toBe(true);
    const real = await kubectl('scale', 'deploy/web', '--replicas=5');
    expect(real.out.trim()).toBe('deployment.apps/web scaled');
    expect(deployment().spec.replicas).toBe(5);
    await settled();
  });

  it('kubectl rollout status waits for the rollout', async () => {
    const r = await kubectl('rollout', 'status', 'deploy/web', '--timeout=20s');
    expect(r.out).toContain('deployment "web" successfully rolled out');
    expect(r.code).toBe(0);
  });

  it('kubectl rollout restart sends a strategic-merge patch and makes a new revision', async () => {
    // A rollout slow enough that kubectl, however slow to start on a loaded machine, finds it still going.
    kube.cluster.stepMs = 1500;
    const r = await kubectl('rollout', 'restart', 'deploy/web');
    expect(r.out.trim()).toBe('deployment.apps/web restarted');
    const patch = kube.requests
      .filter((q) => q.method === 'PATCH' && q.path.startsWith('/apis/apps/v1/namespaces/shop/deployments/web'))
      .at(-1)!;
    expect(patch.contentType).toBe('application/strategic-merge-patch+json');
    expect(deployment().spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBeTruthy();
    expect(sets()).toHaveLength(2);
    const watching = (await kubectl('rollout', 'status', 'deploy/web', '--timeout=20s')).out;
    expect(watching).toContain('Waiting for deployment "web" rollout to finish');
    expect(watching).toContain('successfully rolled out');
    expect(kube.requests.some((q) => q.path.includes('watch=true'))).toBe(true);
    kube.cluster.stepMs = 40;
  });

  it('kubectl rollout status times out on a rollout that never finishes', async () => {
    kube.cluster.stalled = true;
    // kubectl refuses a second restart within the same second (its restartedAt annotation would not change).
    await new Promise((r) => setTimeout(r, 1100));
    try {
      expect((await kubectl('rollout', 'restart', 'deploy/web')).out.trim()).toBe('deployment.apps/web restarted');
      const r = await kubectl('rollout', 'status', 'deploy/web', '--timeout=2s');
      expect(r.code).not.toBe(0);
      expect(r.err).toContain('timed out waiting for the condition');
    } finally {
      kube.cluster.stalled = false;
    }
    await settled();
  });

  it('kubectl set image and rollout history list the revisions', async () => {
    expect((await kubectl('set', 'image', 'deploy/web', 'web=nginx:1.28')).out.trim()).toBe(
      'deployment.apps/web image updated',
    );
    await settled();
    const history = await kubectl('rollout', 'history', 'deploy/web');
    expect(history.out).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n3\s+<none>\n4\s+<none>/);
    const rev1 = await kubectl('rollout', 'history', 'deploy/web', '--revision=1');
    expect(rev1.out).toContain('nginx:1.27');
  });

  it('kubectl rollout undo --to-revision reuses the old ReplicaSet through a JSON patch', async () => {
    const before = sets().length;
    const r = await kubectl('rollout', 'undo', 'deploy/web', '--to-revision=1');
    expect(r.out.trim()).toBe('deployment.apps/web rolled back');
    const patch = kube.requests
      .filter((q) => q.method === 'PATCH' && q.path.startsWith('/apis/apps/v1/namespaces/shop/deployments/web'))
      .at(-1)!;
    expect(patch.contentType).toBe('application/json-patch+json');
    expect(deployment().spec.template.spec.containers[0]!.image).toBe('nginx:1.27');
    await settled();
    expect(sets()).toHaveLength(before);
    expect(deployment().metadata.annotations!['deployment.kubernetes.io/revision']).toBe('5');
    const again = await kubectl('rollout', 'undo', 'deploy/web', '--to-revision=5');
    expect(again.out).toContain('skipped rollback (current template already matches revision 5)');
  });

  it('answers errors as Status objects kubectl understands', async () => {
    expect((await kubectl('get', 'deploy', 'nope')).err).toContain(
      'Error from server (NotFound): deployments.apps "nope" not found',
    );
    config = kube.kubeconfig('wrong-token', 'shop');
    expect((await kubectl('get', 'deploy')).err).toMatch(/Unauthorized|must be logged in/);
    kube.tokens.set('read-only', { verbs: ['get', 'list', 'watch'], resources: ['deployments', 'deployments/scale'] });
    config = kube.kubeconfig('read-only', 'shop');
    expect((await kubectl('scale', 'deploy/web', '--replicas=2')).err).toContain('Error from server (Forbidden)');
    config = kube.kubeconfig('fake-admin-token', 'shop');
  });

  it('refuses a wrong patch content type (415) and a body of the wrong shape (400), as the API server does', async () => {
    const path = '/apis/apps/v1/namespaces/shop/deployments/web';
    const wrongType = await kube.call('PATCH', path, {
      contentType: 'application/json',
      body: '{"spec":{"replicas":2}}',
    });
    expect(wrongType.status).toBe(415);
    expect(wrongType.body).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType', code: 415 });
    const objectAsJsonPatch = await kube.call('PATCH', path, {
      contentType: 'application/json-patch+json',
      body: '{"spec":{"replicas":2}}',
    });
    expect(objectAsJsonPatch.status).toBe(400);
    const stale = await kube.call('PATCH', path, {
      contentType: 'application/merge-patch+json',
      body: '{"metadata":{"resourceVersion":"1"},"spec":{"replicas":2}}',
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ kind: 'Status', reason: 'Conflict' });
  });

  it('kubectl top pod says metrics are unavailable without metrics-server, and agrees with the fake once installed', async () => {
    const without = await kubectl('top', 'pod');
    expect(without.code).not.toBe(0);
    expect(without.err.trim()).toBe('error: Metrics API not available');
    kube.metricsServer = true;
    try {
      const pod = kube.cluster.list('pods', 'shop')[0]!.metadata.name;
      kube.usage.set(`shop/${pod}`, { cpu: '250m', memory: '512Mi' });
      const top = await kubectl('top', 'pod');
      expect(top.err).toBe('');
      expect(top.out).toMatch(/NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
      expect(top.out).toMatch(new RegExp(`${pod}\\s+250m\\s+512Mi`));
      expect(top.out.trim().split('\n')).toHaveLength(1 + kube.cluster.list('pods', 'shop').length);
    } finally {
      kube.metricsServer = false;
    }
  });

  it('kubectl get hpa and get pods show the autoscaler and restarts as the fake holds them', async () => {
    kube.cluster.addAutoscaler('shop', 'web', { min: 2, max: 10, cpuTarget: 70, cpuNow: 45 });
    const hpa = await kubectl('get', 'hpa');
    expect(hpa.err).toBe('');
    expect(hpa.out).toMatch(/NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE/);
    expect(hpa.out).toMatch(/web\s+Deployment\/web\s+cpu: 45%\/70%\s+2\s+10\s+\d+/);
    const pod = kube.cluster.list('pods', 'shop')[0]!.metadata.name;
    kube.cluster.crashPod('shop', pod, 'OOMKilled', 137);
    expect((await kubectl('get', 'pods')).out).toMatch(new RegExp(`${pod}\\s+1/1\\s+Running\\s+1\\s`));
  });

  it('writes deployment status as the deployment controller does: every write moves resourceVersion, conditions change only with status or reason', async () => {
    await settled();
    const before = deployment();
    const progressing = before.status.conditions.find((c: { type: string }) => c.type === 'Progressing');
    const available = () => deployment().status.conditions.find((c: { type: string }) => c.type === 'Available');
    expect(progressing.reason).toBe('NewReplicaSetAvailable');
    const pods = kube.cluster.list('pods', 'shop').filter((p) => p.metadata.labels?.app === 'web');
    const rvs: number[] = [];
    const watch = kube.cluster.onChange((resource, e) => {
      if (resource === 'deployments' && e.object.metadata.name === 'web')
        rvs.push(Number(e.object.metadata.resourceVersion));
    });
    try {
      await new Promise((r) => setTimeout(r, 1100));
      // Enough pods fail their readiness probe to drop below minimum availability (maxUnavailable 25%).
      const want = before.spec.replicas as number;
      const down = want - (want - Math.floor(want * 0.25)) + 1;
      for (const p of pods.slice(0, down)) kube.cluster.setPodReady('shop', p.metadata.name, false);
      const unavailable = available();
      expect(unavailable).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
      expect(unavailable.lastTransitionTime).not.toBe(
        before.status.conditions.find((c: { type: string }) => c.type === 'Available').lastTransitionTime,
      );
      kube.cluster.setPodReady('shop', pods[down]!.metadata.name, false);
      expect(available()).toEqual(unavailable);
      expect(deployment().status.availableReplicas).toBe(want - down - 1);
      for (const p of pods.slice(0, down + 1)) kube.cluster.setPodReady('shop', p.metadata.name, true);
      expect(available()).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
      expect(deployment().status.conditions.find((c: { type: string }) => c.type === 'Progressing')).toEqual(
        progressing,
      );
      expect(rvs).toHaveLength(2 * (down + 1));
      expect(rvs.every((rv, i) => i === 0 || rv > rvs[i - 1]!)).toBe(true);
      expect(deployment().metadata.generation).toBe(before.metadata.generation);
    } finally {
      watch();
    }
  });

  it('moves the generation on every spec change and on nothing else, as the API server does', async () => {
    await settled();
    const generation = () => deployment().metadata.generation as number;
    const rv = () => Number(deployment().metadata.resourceVersion);
    let g = generation();
    let v = rv();
    expect((await kubectl('annotate', 'deploy/web', 'team=payments')).code).toBe(0);
    expect((await kubectl('label', 'deploy/web', 'tier=web')).code).toBe(0);
    expect(deployment().metadata.annotations?.team).toBe('payments');
    expect(generation()).toBe(g);
    expect(rv()).toBeGreaterThan(v);
    // A pod-template annotation is spec: `kubectl rollout restart` writes only that, and it counts.
    expect((await kubectl('rollout', 'restart', 'deploy/web')).code).toBe(0);
    expect(generation()).toBe(g + 1);
    await settled();
    g = generation();
    v = rv();
    // The controller's status writes during the rollout moved resourceVersion, never the generation.
    expect(deployment().status.observedGeneration).toBe(g);
    expect((await kubectl('scale', 'deploy/web', '--replicas=4')).code).toBe(0);
    expect(generation()).toBe(g + 1);
    // The same spec sent again (keys in another order) is no change.
    const path = '/apis/apps/v1/namespaces/shop/deployments/web';
    const { selector, replicas, ...rest } = deployment().spec;
    const same = await kube.call('PATCH', path, {
      contentType: 'application/merge-patch+json',
      body: JSON.stringify({ spec: { ...rest, replicas, selector } }),
    });
    expect(same.status).toBe(200);
    expect(generation()).toBe(g + 1);
    expect(rv()).toBeGreaterThan(v);
    await settled();
  });

  it('stores objects that validate against the Kubernetes schemas', async () => {
    expect(() => new Deployment(deployment() as never).validate()).not.toThrow();
    for (const hpa of kube.cluster.list('horizontalpodautoscalers', 'shop'))
      expect(() => new HorizontalPodAutoscaler(hpa as never).validate()).not.toThrow();
    for (const rs of sets()) expect(() => new ReplicaSet(rs as never).validate()).not.toThrow();
    for (const pod of kube.cluster.list('pods', 'shop')) expect(() => new Pod(pod as never).validate()).not.toThrow();
  });
});
