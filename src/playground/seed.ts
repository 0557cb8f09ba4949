import type { Playbook } from '../runbook/playbook.js';
import type { FakeCluster } from './kube/cluster.js';

/** The first and the current release of every seeded service: a rollback has somewhere to go. */
const RELEASES = ['1.4.0', '1.5.0'];

/**
 * Seeds the simulated cluster with what the playbooks name: each namespace's
 * deployments (two replicas, a 1Gi memory limit, the variables their
 * `set-env` steps change, and two revisions, so a rollback has one to return
 * to) and the ConfigMaps with the keys they may change.
 */
export function seedFromPlaybooks(cluster: FakeCluster, playbooks: Iterable<Playbook>): void {
  const deployments = new Map<string, Set<string>>();
  const env = new Map<string, Set<string>>();
  for (const pb of playbooks) {
    for (const [namespace, names] of Object.entries(pb.deployments ?? {}))
      for (const name of names) deployments.set(`${namespace}/${name}`, new Set());
    for (const step of pb.steps) {
      if (step.action !== 'set-env') continue;
      const at = `${step.namespace}/${step.deployment}`;
      env.set(at, new Set([...(env.get(at) ?? []), ...Object.keys(step.env)]));
    }
    for (const cm of pb.configMaps)
      cluster.put('configmaps', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: cm.name, namespace: cm.namespace },
        data: Object.fromEntries(cm.keys.map((k) => [k, '600'])),
      });
  }
  for (const at of [...deployments.keys()].sort()) {
    const [namespace, name] = at.split('/') as [string, string];
    const variables = [...(env.get(at) ?? [])].map((n) => ({ name: n, value: '20' }));
    const image = (release: string) => `registry.local/${namespace}/${name}:${release}`;
    const first = cluster.addDeployment(namespace, name, {
      image: image(RELEASES[0]!),
      replicas: 2,
      memory: '1Gi',
      ...(variables.length && { env: variables }),
    });
    first.spec.template.spec.containers[0].image = image(RELEASES[1]!);
    cluster.put('deployments', first);
  }
}

/** Whether every deployment has all its pods on its current template. */
export function settled(cluster: FakeCluster): boolean {
  return cluster.list('deployments').every((d) => {
    const s = d.status ?? {};
    return (
      s.updatedReplicas === d.spec.replicas && s.availableReplicas === d.spec.replicas && s.replicas === d.spec.replicas
    );
  });
}
