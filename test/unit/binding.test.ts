import { describe, expect, it } from '@jest/globals';
import { SpecChanged } from '../../src/errors.js';
import { changeSince, configMapBinding, deploymentBinding, verifierFor } from '../../src/runbook/binding.js';
import type { DeploymentView, RevisionView } from '../../src/runbook/cluster-views.js';

const web: DeploymentView = {
  namespace: 'shop',
  name: 'web',
  resourceVersion: '1001',
  generation: 4,
  replicas: 2,
  revision: 3,
  paused: false,
  templateDigest: 'tmpl-a',
  containers: [{ name: 'web', image: 'shop/web:41', env: {}, memoryLimit: null }],
  status: { observedGeneration: 4, replicas: 2, updated: 2, available: 2, progressDeadlineExceeded: false },
};
const deployment = (d: Partial<DeploymentView>) => ({ kind: 'deployment' as const, deployment: { ...web, ...d } });

describe('what an approval binds to', () => {
  it('holds through status writes: resourceVersion and status may move, the spec may not', () => {
    const b = deploymentBinding('rollout-restart', web);
    const churned = deployment({
      resourceVersion: '1999',
      status: { ...web.status, available: 1, replicas: 3 },
    });
    expect(changeSince('rollout-restart', b, churned)).toBeUndefined();
    expect(() => verifierFor({ action: 'rollout-restart', binding: b })(churned)).not.toThrow();
  });

  it('says what changed when the spec moved: replicas, image, pause, anything else', () => {
    const b = deploymentBinding('rollout-restart', web);
    expect(changeSince('rollout-restart', b, deployment({ generation: 5, replicas: 4 }))).toBe(
      'replicas 2 → 4 changed by someone else after the preview',
    );
    expect(
      changeSince(
        'scale',
        deploymentBinding('scale', web),
        deployment({
          generation: 5,
          templateDigest: 'tmpl-b',
          containers: [{ ...web.containers[0]!, image: 'shop/web:42' }],
        }),
      ),
    ).toBe('image shop/web:41 → shop/web:42 changed by someone else after the preview');
    expect(changeSince('rollout-restart', b, deployment({ generation: 5, paused: true }))).toBe(
      'the deployment was paused by someone else after the preview',
    );
    expect(changeSince('rollout-restart', b, deployment({ generation: 5, templateDigest: 'tmpl-c' }))).toBe(
      "the deployment's spec changed by someone else after the preview (generation 4 → 5)",
    );
    expect(() =>
      verifierFor({ action: 'rollout-restart', binding: b })(deployment({ generation: 5, replicas: 4 })),
    ).toThrow(SpecChanged);
  });

  it('pins the rollback target: an edited or vanished ReplicaSet is a change', () => {
    const target: RevisionView = {
      revision: 1,
      replicaSet: 'web-abc',
      images: ['shop/web:40'],
      templateDigest: 'rs-1',
    };
    const b = deploymentBinding('rollout-undo', web, target);
    expect(changeSince('rollout-undo', b, { ...deployment({}), rollbackTo: target })).toBeUndefined();
    expect(
      changeSince('rollout-undo', b, {
        ...deployment({}),
        rollbackTo: { ...target, images: ['evil/web:1'], templateDigest: 'rs-2' },
      }),
    ).toBe('ReplicaSet web-abc (revision 1) was edited after the preview (image shop/web:40 → evil/web:1)');
    expect(changeSince('rollout-undo', b, deployment({}))).toBe(
      'the rollback target revision 1 (ReplicaSet web-abc) is no longer in the history',
    );
  });

  it('binds a ConfigMap change to the key’s value as previewed', () => {
    const b = configMapBinding('600');
    expect(changeSince('patch-configmap', b, { kind: 'configmap', value: '600' })).toBeUndefined();
    expect(changeSince('patch-configmap', b, { kind: 'configmap', value: '900' })).toBe(
      'its value "600" → "900" was changed by someone else after the preview',
    );
    expect(changeSince('patch-configmap', configMapBinding(null), { kind: 'configmap', value: '' })).toContain(
      '(unset) → ""',
    );
  });
});
