/** Steps that change the cluster: the dry run people approve, and the change applied while its preview holds. */
import { ClusterFailure } from '../errors.js';
import { configMapBinding, deploymentBinding, verifierFor } from './binding.js';
import type { DeploymentView, Observed } from './cluster-views.js';
import type { Step } from './playbook-schema.js';
import type { ClusterMutations, ClusterReads } from './ports.js';
import type { Preview } from './run.js';
import { type DeploymentStep, stepTarget } from './template.js';
import { untrusted } from './text.js';

const image = (d: DeploymentView) => d.containers.map((c) => c.image).join(', ');

/** Reads what a mutating step would change, as the check before applying it sees it. */
export async function observe(cluster: ClusterReads, step: Step): Promise<Observed> {
  if (step.action === 'patch-configmap')
    return { kind: 'configmap', value: await cluster.configMapValue(step.namespace, step.name, step.key) };
  const { namespace, deployment } = step as DeploymentStep;
  const d = await cluster.getDeployment(namespace, deployment);
  if (step.action !== 'rollout-undo') return { kind: 'deployment', deployment: d };
  const history = await cluster.history(namespace, deployment);
  const wanted = Number(step.revision ?? 0);
  const rollbackTo = wanted
    ? history.find((h) => h.revision === wanted)
    : history.filter((h) => h.revision < d.revision).at(-1);
  return { kind: 'deployment', deployment: d, ...(rollbackTo && { rollbackTo }) };
}

/** The server-side dry run of a mutating step: what will change, and what an approval of it binds to. */
export async function previewStep(
  cluster: ClusterReads & ClusterMutations,
  step: Step,
  index: number,
  now: Date,
  token: string,
): Promise<Preview> {
  const target = stepTarget(step);
  const dry = { dryRun: true } as const;
  if (step.action === 'patch-configmap') {
    const r = await cluster.patchConfigMap(step.namespace, step.name, step.key, String(step.value), dry);
    return {
      step: index,
      action: step.action,
      target,
      token,
      binding: configMapBinding(r.before),
      lines: [untrusted(`ConfigMap ${target} ${step.key}: ${r.before ?? '(unset)'} → ${r.after}`)],
    };
  }
  const { namespace, deployment } = step as DeploymentStep;
  const before = await cluster.getDeployment(namespace, deployment);
  const pods = (await cluster.listPods(namespace, deployment)).map((p) => p.name);
  const restarts = pods.length ? [untrusted(`pods that will restart: ${pods.join(', ')}`, 1000)] : [];
  const base = { step: index, action: step.action, target, token, binding: deploymentBinding(step.action, before) };
  const preview = (lines: string[], extra: Partial<Preview> = {}): Preview => ({
    ...base,
    ...extra,
    lines: lines.map((l) => untrusted(l, 1000)),
  });
  switch (step.action) {
    case 'rollout-restart':
      await cluster.restart(namespace, deployment, now, dry);
      return preview([
        `rolling restart of ${target} (revision ${before.revision} → ${before.revision + 1}, image ${image(before)} unchanged)`,
        ...restarts,
      ]);
    case 'scale': {
      const after = await cluster.scale(namespace, deployment, Number(step.replicas), dry);
      return preview([`replicas ${before.replicas} → ${after.replicas}`]);
    }
    case 'rollout-undo': {
      const r = await cluster.undo(namespace, deployment, Number(step.revision ?? 0), dry);
      if (r.outcome === 'already')
        throw new ClusterFailure('refused', `${target} is already at revision ${r.revision}; nothing to roll back.`);
      return preview(
        [
          `revision ${before.revision} (${image(before)}) → revision ${r.revision} (${r.target.images.join(', ')}) from ReplicaSet ${r.target.replicaSet}`,
          ...restarts,
        ],
        { binding: deploymentBinding(step.action, before, r.target) },
      );
    }
    case 'set-image': {
      const after = await cluster.setImage(namespace, deployment, step.container, step.image, dry);
      return preview([`image ${image(before)} → ${image(after)}`, ...restarts]);
    }
    case 'set-env': {
      const env = envOf(step);
      await cluster.setEnv(namespace, deployment, step.container, env, dry);
      const c = before.containers.find((x) => x.name === step.container) ?? before.containers[0];
      return preview([...Object.entries(env).map(([k, v]) => `${k}: ${c?.env[k] ?? '(unset)'} → ${v}`), ...restarts]);
    }
    case 'set-memory-limit': {
      await cluster.setMemoryLimit(namespace, deployment, step.container, step.limit, dry);
      const c = before.containers.find((x) => x.name === step.container) ?? before.containers[0];
      return preview([`memory limit ${c?.memoryLimit ?? '(none)'} → ${step.limit}`, ...restarts]);
    }
    default:
      throw new Error(`${step.action} is read-only`);
  }
}

function envOf(step: Extract<Step, { action: 'set-env' }>): Record<string, string> {
  return Object.fromEntries(Object.entries(step.env).map(([k, v]) => [k, String(v)]));
}

/**
 * Applies an approved mutating step. Each attempt re-reads the target and applies only while
 * the preview's binding holds (else `SpecChanged`, and nothing is applied).
 */
export async function executeStep(cluster: ClusterMutations, step: Step, preview: Preview, now: Date): Promise<string> {
  const o = { dryRun: false, verify: verifierFor(preview) };
  const { namespace, deployment } = step as DeploymentStep;
  switch (step.action) {
    case 'rollout-restart':
      await cluster.restart(namespace, deployment, now, o);
      return `${preview.target} restarted`;
    case 'scale':
      await cluster.scale(namespace, deployment, Number(step.replicas), o);
      return `${preview.target} scaled to ${step.replicas}`;
    case 'rollout-undo': {
      const r = await cluster.undo(namespace, deployment, Number(step.revision ?? 0), o);
      return r.outcome === 'already'
        ? `${preview.target} was already at revision ${r.revision}`
        : `${preview.target} rolled back to revision ${r.revision}`;
    }
    case 'set-image':
      await cluster.setImage(namespace, deployment, step.container, step.image, o);
      return `${preview.target} image set to ${step.image}`;
    case 'set-env':
      await cluster.setEnv(namespace, deployment, step.container, envOf(step), o);
      return `${preview.target} environment updated`;
    case 'set-memory-limit':
      await cluster.setMemoryLimit(namespace, deployment, step.container, step.limit, o);
      return `${preview.target} memory limit set to ${step.limit}`;
    case 'patch-configmap':
      await cluster.patchConfigMap(step.namespace, step.name, step.key, String(step.value), o);
      return `ConfigMap ${preview.target} ${step.key} set`;
    default:
      throw new Error(`${step.action} is read-only`);
  }
}
