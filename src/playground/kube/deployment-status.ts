import { templateKey } from './revisions.js';
import { type KubeObject, stampNow } from './store.js';

/** A deployment condition as util.NewDeploymentCondition makes it: both times now. */
function condition(type: string, status: string, reason: string, message: string): any {
  const now = stampNow();
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

/**
 * deployment_util.go SetDeploymentCondition: nothing changes when the status and reason are the
 * same; lastTransitionTime is kept while the status is the same; the condition moves to the end.
 */
function setCondition(status: { conditions: any[] }, c: any): void {
  const current = status.conditions.find((x) => x.type === c.type);
  if (current && current.status === c.status && current.reason === c.reason) return;
  if (current && current.status === c.status) c.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...status.conditions.filter((x) => x.type !== c.type), c];
}

/**
 * The deployment's status as the deployment controller computes it (sync.go calculateStatus,
 * progress.go syncRolloutStatus) from its ReplicaSets `sets`: a condition is rewritten only when
 * its status or reason changes, keeping lastTransitionTime while its status holds
 * (SetDeploymentCondition); the Progressing condition alone refreshes lastUpdateTime when the
 * rollout makes progress. `newRollout` is the condition a new ReplicaSet (or an old one brought back) gets.
 */
export function deploymentStatus(
  d: KubeObject,
  sets: KubeObject[],
  name: string,
  newRollout?: { reason: string; message: string },
): any {
  const current = sets.find((rs) => templateKey(rs.spec.template) === templateKey(d.spec.template));
  const sum = (f: (rs: KubeObject) => number) => sets.reduce((n, rs) => n + f(rs), 0);
  const replicas = sum((rs) => rs.status?.replicas ?? 0);
  const updated = current?.status?.replicas ?? 0;
  const ready = sum((rs) => rs.status?.readyReplicas ?? 0);
  const available = sum((rs) => rs.status?.availableReplicas ?? 0);
  const old = d.status ?? {};
  const status: any = {
    observedGeneration: d.metadata.generation,
    replicas,
    updatedReplicas: updated,
    readyReplicas: ready,
    availableReplicas: available,
    ...(replicas - available > 0 && { unavailableReplicas: replicas - available }),
    conditions: structuredClone(old.conditions ?? []),
  };
  const want = d.spec.replicas;
  const minAvailable = Math.max(0, want - Math.floor(want * 0.25));
  setCondition(
    status,
    available >= minAvailable
      ? condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
      : condition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
  );
  const rsName = current?.metadata.name ?? name;
  const progressing = status.conditions.find((c: any) => c.type === 'Progressing');
  if (d.spec.paused)
    setCondition(status, condition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused'));
  else if (newRollout) setCondition(status, condition('Progressing', 'True', newRollout.reason, newRollout.message));
  else if (!(replicas === updated && progressing?.reason === 'NewReplicaSetAvailable')) {
    const complete = updated === want && replicas === want && available === want;
    const progressed =
      updated > (old.updatedReplicas ?? 0) ||
      replicas - updated < (old.replicas ?? 0) - (old.updatedReplicas ?? 0) ||
      ready > (old.readyReplicas ?? 0) ||
      available > (old.availableReplicas ?? 0);
    if (complete)
      setCondition(
        status,
        condition(
          'Progressing',
          'True',
          'NewReplicaSetAvailable',
          `ReplicaSet "${rsName}" has successfully progressed.`,
        ),
      );
    else if (progressed) {
      const c = condition('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`);
      if (progressing?.status === 'True') c.lastTransitionTime = progressing.lastTransitionTime;
      status.conditions = status.conditions.filter((x: any) => x.type !== 'Progressing');
      setCondition(status, c);
    }
  }
  return status;
}
