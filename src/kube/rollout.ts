/**
 * Pure ports of kubectl's rollout logic, so the bot decides exactly as kubectl
 * would: rollout status (DeploymentStatusViewer) and the rollback target.
 */
import { createHash } from 'node:crypto';
import type { V1Deployment, V1PodTemplateSpec, V1ReplicaSet } from '@kubernetes/client-node';

const HASH = 'pod-template-hash';
const REVISION = 'deployment.kubernetes.io/revision';
/** Annotations kubectl does not copy from a ReplicaSet on rollback. */
const SKIPPED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

/** kubectl's rollout status for a deployment: a message, and whether the rollout is complete. */
export function rolloutStatus(d: V1Deployment): { done: boolean; failed: boolean; message: string } {
  const name = d.metadata?.name;
  const s = d.status ?? {};
  if ((d.metadata?.generation ?? 0) > (s.observedGeneration ?? 0))
    return { done: false, failed: false, message: 'Waiting for deployment spec update to be observed...' };
  const progressing = (s.conditions ?? []).find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded')
    return { done: false, failed: true, message: `deployment "${name}" exceeded its progress deadline` };
  const want = d.spec?.replicas ?? 1;
  if ((s.updatedReplicas ?? 0) < want)
    return {
      done: false,
      failed: false,
      message: `Waiting for deployment "${name}" rollout to finish: ${s.updatedReplicas ?? 0} out of ${want} new replicas have been updated...`,
    };
  if ((s.replicas ?? 0) > (s.updatedReplicas ?? 0))
    return {
      done: false,
      failed: false,
      message: `Waiting for deployment "${name}" rollout to finish: ${(s.replicas ?? 0) - (s.updatedReplicas ?? 0)} old replicas are pending termination...`,
    };
  if ((s.availableReplicas ?? 0) < (s.updatedReplicas ?? 0))
    return {
      done: false,
      failed: false,
      message: `Waiting for deployment "${name}" rollout to finish: ${s.availableReplicas ?? 0} of ${s.updatedReplicas ?? 0} updated replicas are available...`,
    };
  return { done: true, failed: false, message: `deployment "${name}" successfully rolled out` };
}

function withoutHash(template: V1PodTemplateSpec | undefined): V1PodTemplateSpec {
  const t = structuredClone(template ?? {});
  if (t.metadata?.labels) delete t.metadata.labels[HASH];
  if (t.metadata && 'creationTimestamp' in t.metadata && t.metadata.creationTimestamp == null)
    delete t.metadata.creationTimestamp;
  return t;
}

function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, sorted(o[k])]),
    );
  }
  return v;
}

/** Digest of a pod template as the deployment controller compares them: without the pod-template-hash label. */
export function templateDigest(template: V1PodTemplateSpec | undefined): string {
  return createHash('sha256')
    .update(JSON.stringify(sorted(withoutHash(template))))
    .digest('hex')
    .slice(0, 32);
}

/** The revision of a ReplicaSet or deployment, from its annotation. */
export const revisionOf = (o: V1Deployment | V1ReplicaSet | undefined): number =>
  Number(o?.metadata?.annotations?.[REVISION] ?? 0);

/** One operation of a JSON Patch (RFC 6902), as kubectl's rollback sends them. */
export interface JsonPatchOperation {
  readonly op: 'test' | 'replace';
  readonly path: string;
  readonly value: unknown;
}

/**
 * kubectl's rollback: the ReplicaSet of `toRevision` (0 = the previous one),
 * and the JSON patch of `/spec/template` and the annotations (guarded by the
 * generation that was read), or `already` when the template already matches.
 */
export function rollbackPlan(
  deployment: V1Deployment,
  replicaSets: readonly V1ReplicaSet[],
  toRevision: number,
):
  | { kind: 'patch'; revision: number; target: V1ReplicaSet; patch: JsonPatchOperation[] }
  | { kind: 'already'; revision: number }
  | { kind: 'error'; message: string } {
  if (deployment.spec?.paused)
    return {
      kind: 'error',
      message: "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again",
    };
  const owned = replicaSets.filter((rs) =>
    rs.metadata?.ownerReferences?.some((r) => r.uid === deployment.metadata?.uid && r.controller),
  );
  let target: V1ReplicaSet | undefined;
  if (toRevision === 0) {
    const current = Math.max(0, ...owned.map(revisionOf));
    target = owned.filter((rs) => revisionOf(rs) < current).sort((a, b) => revisionOf(b) - revisionOf(a))[0];
    if (!target) return { kind: 'error', message: 'no rollout history found for this deployment' };
  } else {
    target = owned.find((rs) => revisionOf(rs) === toRevision);
    if (!target) return { kind: 'error', message: `unable to find specified revision ${toRevision} in history` };
  }
  const template = withoutHash(target.spec?.template);
  if (JSON.stringify(sorted(template)) === JSON.stringify(sorted(withoutHash(deployment.spec?.template))))
    return { kind: 'already', revision: revisionOf(target) };
  const annotations = { ...(deployment.metadata?.annotations ?? {}) };
  for (const [k, v] of Object.entries(target.metadata?.annotations ?? {})) if (!SKIPPED.has(k)) annotations[k] = v;
  return {
    kind: 'patch',
    revision: revisionOf(target),
    target,
    // kubectl's two replace operations; the test of the generation makes the patch apply only to the
    // spec that was read (status writes never move the generation, so they never fail it).
    patch: [
      { op: 'test', path: '/metadata/generation', value: deployment.metadata?.generation },
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: annotations },
    ],
  };
}
