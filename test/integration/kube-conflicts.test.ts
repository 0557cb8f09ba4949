import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FakeKube } from '../../src/playground/kube/server.js';
import { deploymentBinding, verifierFor } from '../../src/runbook/binding.js';
import type { Cluster } from '../../src/runbook/ports.js';
import { waitFor } from '../support/harness.js';
import { bound, clusterFailure as failure, startShopKube } from '../support/kube-fixture.js';

/** How the adapter's changes meet a busy API server: races retried as client-go does, refusals and silences not. */
let kube: FakeKube;
let cluster: Cluster;
let settled: () => Promise<unknown>;

beforeAll(async () => {
  ({ kube, cluster, settled } = await startShopKube());
  // A second revision, so there is a rollout history to roll back in.
  await cluster.setImage('shop', 'web', 'web', 'shop/web:42', { dryRun: false });
  await settled();
});
afterAll(async () => {
  await kube.stop();
});

describe('changes racing other writes, and answers that are not a yes', () => {
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

  it('does not retry a change the API server calls invalid (422): one PATCH, and the message says so', async () => {
    await settled();
    const path = /\/deployments\/web\/scale$/;
    const before = await cluster.getDeployment('shop', 'web');
    const from = kube.requests.length;
    kube.fail({
      method: 'PATCH',
      path,
      status: 422,
      contentType: 'application/json',
      body: () =>
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'Invalid',
          code: 422,
          message: 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: 9: exceeds quota',
        }),
    });
    const invalid = await failure(cluster.scale('shop', 'web', 9, { dryRun: false, verify: bound('scale', before) }));
    expect(invalid.code).toBe('invalid');
    expect(invalid.message).toContain('spec.replicas: Invalid value: 9');
    expect(kube.requests.slice(from).filter((r) => r.method === 'PATCH')).toHaveLength(1);
    expect(kube.cluster.get('deployments', 'shop', 'web')!.spec.replicas).toBe(before.replicas);
  });

  it('a rollback whose generation test a concurrent spec write tripped (422) is a race: re-read and checked again', async () => {
    await settled();
    const path = /\/deployments\/web$/;
    const jsonPatches = (from: number) =>
      kube.requests.slice(from).filter((r) => r.method === 'PATCH' && r.contentType === 'application/json-patch+json');
    const approved = await cluster.getDeployment('shop', 'web');
    const target = (await cluster.history('shop', 'web')).find((h) => h.revision < approved.revision)!;
    let from = kube.requests.length;
    kube.hold('PATCH', path, 150);
    const bound = verifierFor({
      action: 'rollout-undo',
      binding: deploymentBinding('rollout-undo', approved, target),
    });
    const undo = cluster.undo('shop', 'web', target.revision, { dryRun: false, verify: bound });
    await waitFor(() => jsonPatches(from).length > 0);
    await kube.scale('shop', 'web', approved.replicas + 1);
    const changed = await failure(undo);
    expect(changed.message).toContain(`replicas ${approved.replicas} → ${approved.replicas + 1} changed`);
    expect(jsonPatches(from).map((r) => r.status)).toEqual([422]);
    await settled();

    from = kube.requests.length;
    kube.hold('PATCH', path, 150);
    const unbound = cluster.undo('shop', 'web', target.revision, { dryRun: false });
    await waitFor(() => jsonPatches(from).length > 0);
    await kube.scale('shop', 'web', approved.replicas);
    expect(await unbound).toMatchObject({ outcome: 'patched', revision: target.revision });
    expect(jsonPatches(from).map((r) => r.status)).toEqual([422, 200]);
    await settled();
  });

  it('a change sent without a clear answer (a gateway 502) is reported as possibly applied, never as not applied', async () => {
    const before = await cluster.getDeployment('shop', 'web');
    kube.fail({
      method: 'PATCH',
      path: /\/deployments\/web\/scale$/,
      status: 502,
      body: () => '<html>Bad Gateway</html>',
    });
    const unknown = await failure(cluster.scale('shop', 'web', 4, { dryRun: false, verify: bound('scale', before) }));
    expect(unknown.code).toBe('unknown');
    expect(unknown.message).toContain('may or may not have been applied');
    expect(unknown.message).not.toContain('Nothing was applied');
    expect(unknown.message).not.toContain('Bad Gateway</html>');
    kube.fail({
      method: 'PATCH',
      path: /\/deployments\/web\/scale\?dryRun=All$/,
      status: 502,
      body: () => 'Bad Gateway',
    });
    const dry = await failure(cluster.scale('shop', 'web', 4, { dryRun: true }));
    expect(dry.code).toBe('unreachable');
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
});
