import { createHash } from 'node:crypto';
import { SpecChanged } from '../errors.js';
import { standing } from './backend-filter.js';
import type { DeploymentView, Observed, RevisionView } from './cluster-views.js';
import type { BackendKey } from './database-views.js';
import type { Preview, SpecBinding } from './run.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);
const imagesOf = (d: DeploymentView) => d.containers.map((c) => c.image);
const shown = (value: string | null | undefined) => (value == null ? '(unset)' : `"${value}"`);
const UNSET = '\u0000unset';

/** The part of a deployment a step applies, as a digest: replicas for scale, the pod template otherwise. */
function digestOf(action: string, d: DeploymentView): string {
  return action === 'scale' ? `replicas:${d.replicas}` : `template:${d.templateDigest}`;
}

/** What approving `action` on deployment `d` binds to; a rollback also pins its target ReplicaSet's template. */
export function deploymentBinding(action: string, d: DeploymentView, rollbackTo?: RevisionView): SpecBinding {
  return {
    generation: d.generation,
    digest: digestOf(action, d),
    seen: { replicas: d.replicas, images: imagesOf(d), revision: d.revision, ...(rollbackTo && { rollbackTo }) },
  };
}

/** What approving a ConfigMap change binds to: the key's value as previewed. */
export function configMapBinding(value: string | null): SpecBinding {
  return { generation: null, digest: `value:${sha(value ?? UNSET)}`, seen: { value } };
}

const identity = (k: BackendKey) => `${k.pid}|${k.backendStart}|${k.queryStart}|${k.state}`;

/** What approving the end of listed backends binds to: exactly those sessions, each in the statement previewed. */
export function backendsBinding(keys: readonly BackendKey[]): SpecBinding {
  const list = [...keys].sort((a, b) => a.pid - b.pid);
  return { generation: null, digest: `backends:${sha(list.map(identity).join('\n'))}`, seen: { backends: list } };
}

/** Why listed backends are no longer as previewed, in words; undefined while every one is. */
function backendsChange(observed: Extract<Observed, { kind: 'backends' }>): string | undefined {
  const moved = observed.now
    .map(({ key, found }) => ({ pid: key.pid, now: standing(key, found) }))
    .filter((b) => b.now !== 'same');
  if (!moved.length) return undefined;
  const words = {
    ended: 'ended',
    'other-session': 'belongs to another session',
    'other-statement': 'runs another statement',
  };
  return moved.map((b) => `pid ${b.pid} ${words[b.now as keyof typeof words]}`).join(', ');
}

function rollbackChange(pinned: RevisionView, now: RevisionView | undefined): string | undefined {
  if (!now || now.revision !== pinned.revision)
    return `the rollback target revision ${pinned.revision} (ReplicaSet ${pinned.replicaSet}) is no longer in the history`;
  if (now.templateDigest === pinned.templateDigest) return undefined;
  const images =
    now.images.join(', ') === pinned.images.join(', ')
      ? ''
      : ` (image ${pinned.images.join(', ')} → ${now.images.join(', ')})`;
  return `ReplicaSet ${pinned.replicaSet} (revision ${pinned.revision}) was edited after the preview${images}`;
}

/** Why the binding no longer holds for what is in the cluster now; undefined while it holds. */
export function changeSince(action: string, binding: SpecBinding, observed: Observed): string | undefined {
  const seen = binding.seen;
  if (observed.kind === 'backends') return backendsChange(observed);
  if (observed.kind === 'configmap') {
    if (configMapBinding(observed.value).digest === binding.digest) return undefined;
    return `its value ${shown(seen.value)} → ${shown(observed.value)} was changed by someone else after the preview`;
  }
  if (seen.rollbackTo) {
    const moved = rollbackChange(seen.rollbackTo, observed.rollbackTo);
    if (moved) return moved;
  }
  const d = observed.deployment;
  if (d.generation === binding.generation && digestOf(action, d) === binding.digest) return undefined;
  if (seen.replicas !== undefined && seen.replicas !== d.replicas)
    return `replicas ${seen.replicas} → ${d.replicas} changed by someone else after the preview`;
  const images = imagesOf(d).join(', ');
  if (seen.images && seen.images.join(', ') !== images)
    return `image ${seen.images.join(', ')} → ${images} changed by someone else after the preview`;
  if (d.paused) return 'the deployment was paused by someone else after the preview';
  return `the deployment's spec changed by someone else after the preview (generation ${binding.generation} → ${d.generation})`;
}

/** The check run on every fresh read before a step is applied: throws `SpecChanged` when the preview no longer holds. */
export function verifierFor(preview: Pick<Preview, 'action' | 'binding'>): (observed: Observed) => void {
  return (observed) => {
    const reason = changeSince(preview.action, preview.binding, observed);
    if (reason) throw new SpecChanged(reason);
  };
}
