import { createHash } from 'node:crypto';
import type { KubeObject } from './store.js';

/** Whether the pod's Ready condition is True. */
export const isReady = (p: KubeObject): boolean =>
  p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');

/** The ReplicaSet controller's status: its pods counted, ready ones as available (minReadySeconds 0). */
export function replicaSetStatus(rs: KubeObject, pods: KubeObject[]) {
  const ready = pods.filter(isReady);
  return {
    replicas: pods.length,
    fullyLabeledReplicas: pods.length,
    readyReplicas: ready.length,
    availableReplicas: ready.length,
    observedGeneration: rs.metadata.generation,
  };
}

/** A pod of the ReplicaSet as the scheduler and kubelet leave it: running and ready. */
export function newPod(namespace: string, rs: KubeObject): KubeObject {
  const suffix = Math.random().toString(36).slice(2, 7);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${rs.metadata.name}-${suffix}`,
      namespace,
      labels: rs.spec.template.metadata.labels,
      annotations: rs.spec.template.metadata.annotations ?? {},
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: rs.metadata.name,
          uid: rs.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: structuredClone(rs.spec.template.spec),
    status: {
      phase: 'Running',
      startTime: now,
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
      containerStatuses: rs.spec.template.spec.containers.map((c: any) => ({
        name: c.name,
        image: c.image,
        imageID: `docker.io/library/${c.image}@sha256:${createHash('sha256').update(c.image).digest('hex')}`,
        containerID: `containerd://${createHash('sha256')
          .update(suffix + c.name)
          .digest('hex')}`,
        ready: true,
        restartCount: 0,
        started: true,
        state: { running: { startedAt: now } },
      })),
    },
  };
}

/** The pod's readiness as the kubelet reports a probe failing (`false`) or passing again. */
export function markReady(p: KubeObject, ready: boolean): void {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const flag = ready ? 'True' : 'False';
  for (const type of ['Ready', 'ContainersReady']) {
    const c = p.status.conditions.find((x: any) => x.type === type);
    if (!c) p.status.conditions.push({ type, status: flag, lastTransitionTime: now });
    else if (c.status !== flag) Object.assign(c, { status: flag, lastTransitionTime: now });
  }
  for (const cs of p.status.containerStatuses) cs.ready = ready;
}

/** The pod's first container killed (OOMKilled, Error…) and restarted by the kubelet. */
export function markCrashed(p: KubeObject, reason: string, exitCode: number): void {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const cs = p.status.containerStatuses[0];
  cs.lastState = {
    terminated: {
      exitCode,
      reason,
      startedAt: cs.state?.running?.startedAt ?? now,
      finishedAt: now,
      containerID: cs.containerID,
    },
  };
  cs.restartCount += 1;
  cs.state = { running: { startedAt: now } };
}
