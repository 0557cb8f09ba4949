import { createHash } from 'node:crypto';
import { type KubeObject, sortKeys } from './store.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const HASH = 'pod-template-hash';

/** The template without the controller's own label: two templates are "the same" when these match. */
export function templateKey(template: any): string {
  const t = structuredClone(template ?? {});
  if (t.metadata?.labels) delete t.metadata.labels[HASH];
  return JSON.stringify(sortKeys(t));
}

export const shortHash = (s: string) =>
  createHash('sha256')
    .update(s)
    .digest('hex')
    .replace(/[^a-z0-9]/g, '')
    .slice(0, 10)
    .replace(/[aeiou]/g, 'b');

/** The ReplicaSet the deployment controller makes for a pod template it has not seen: the next revision, no pods yet. */
export function newReplicaSet(
  d: KubeObject,
  namespace: string,
  name: string,
  hash: string,
  revision: number,
): KubeObject {
  const template = structuredClone(d.spec.template);
  template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [HASH]: hash } };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${name}-${hash}`,
      namespace,
      labels: { ...d.spec.template.metadata?.labels, [HASH]: hash },
      annotations: {
        [REVISION]: String(revision),
        'deployment.kubernetes.io/desired-replicas': String(d.spec.replicas),
        'deployment.kubernetes.io/max-replicas': String(d.spec.replicas + 1),
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name,
          uid: d.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: { replicas: 0, selector: { matchLabels: { ...d.spec.selector.matchLabels, [HASH]: hash } }, template },
    status: { replicas: 0, fullyLabeledReplicas: 0, readyReplicas: 0, availableReplicas: 0, observedGeneration: 1 },
  };
}
