import type { Step } from './playbook.js';
import { type Cluster, ClusterFailure, type DeploymentView, type Preview } from './ports.js';

const image = (d: DeploymentView) => d.containers.map((c) => c.image).join(', ');

/** Runs a read-only step and returns what it found, as lines for the war room. */
export async function readStep(
  cluster: Cluster,
  step: Step,
  onProgress: (line: string) => void,
): Promise<{ ok: boolean; lines: string[] }> {
  const s = step as Step & { namespace: string; deployment: string };
  switch (step.action) {
    case 'get-deployment': {
      const d = await cluster.getDeployment(s.namespace, s.deployment);
      return {
        ok: true,
        lines: [
          `${d.namespace}/${d.name}: ${d.status.available}/${d.replicas} available, revision ${d.revision}, image ${image(d)}${d.paused ? ', PAUSED' : ''}`,
        ],
      };
    }
    case 'list-pods': {
      const pods = await cluster.listPods(s.namespace, s.deployment);
      return {
        ok: true,
        lines: pods.length
          ? pods.map((p) => `${p.name}: ${p.phase}${p.ready ? ', ready' : ', NOT ready'}, ${p.restarts} restarts`)
          : ['no pods'],
      };
    }
    case 'recent-events': {
      const events = await cluster.recentEvents(s.namespace, s.deployment);
      return {
        ok: true,
        lines: events.length ? events.map((e) => `${e.at} ${e.reason}: ${e.message}`) : ['no recent events'],
      };
    }
    case 'rollout-history': {
      const revisions = await cluster.history(s.namespace, s.deployment);
      return {
        ok: true,
        lines: revisions.map((r) => `revision ${r.revision}: ${r.images.join(', ')} (${r.replicaSet})`),
      };
    }
    case 'pod-logs': {
      const lines = await cluster.logs(s.namespace, s.deployment, {
        tail: step.tail,
        ...(step.filter && { filter: step.filter }),
      });
      return {
        ok: true,
        lines: lines.length ? lines.slice(-20) : [`no log lines${step.filter ? ` matching "${step.filter}"` : ''}`],
      };
    }
    case 'rollout-status': {
      const ms = Number(step.timeout.slice(0, -1)) * (step.timeout.endsWith('m') ? 60_000 : 1000);
      const r = await cluster.rolloutStatus(s.namespace, s.deployment, ms, onProgress);
      return { ok: r.done, lines: [r.message] };
    }
    default:
      throw new Error(`${step.action} is not read-only`);
  }
}

/** The server-side dry run of a mutating step: what will change, against which version. */
export async function previewStep(cluster: Cluster, step: Step, index: number, now: Date): Promise<Preview> {
  const s = step as Step & { namespace: string; deployment?: string };
  const target = `${s.namespace}/${s.deployment ?? (step as { name?: string }).name}`;
  const dry = { dryRun: true } as const;
  if (step.action === 'patch-configmap') {
    const r = await cluster.patchConfigMap(step.namespace, step.name, step.key, String(step.value), dry);
    return {
      step: index,
      action: step.action,
      target,
      resourceVersion: '',
      lines: [`ConfigMap ${target} ${step.key}: ${r.before ?? '(unset)'} → ${r.after}`],
    };
  }
  const before = await cluster.getDeployment(s.namespace, s.deployment!);
  const pods = (await cluster.listPods(s.namespace, s.deployment!)).map((p) => p.name);
  const restarts = pods.length ? [`pods that will restart: ${pods.join(', ')}`] : [];
  const base = { step: index, action: step.action, target, resourceVersion: before.resourceVersion };
  switch (step.action) {
    case 'rollout-restart':
      await cluster.restart(step.namespace, step.deployment, now, dry);
      return {
        ...base,
        lines: [
          `rolling restart of ${target} (revision ${before.revision} → ${before.revision + 1}, image ${image(before)} unchanged)`,
          ...restarts,
        ],
      };
    case 'scale': {
      const after = await cluster.scale(step.namespace, step.deployment, Number(step.replicas), dry);
      return { ...base, lines: [`replicas ${before.replicas} → ${after.replicas}`] };
    }
    case 'rollout-undo': {
      const r = await cluster.undo(step.namespace, step.deployment, Number(step.revision ?? 0), dry);
      if (r.outcome === 'already')
        throw new ClusterFailure('refused', `${target} is already at revision ${r.revision}; nothing to roll back.`);
      const history = await cluster.history(step.namespace, step.deployment);
      const to = history.find((h) => h.revision === r.revision);
      return {
        ...base,
        lines: [
          `revision ${before.revision} (${image(before)}) → revision ${r.revision} (${to?.images.join(', ') ?? image(r.deployment)})`,
          ...restarts,
        ],
      };
    }
    case 'set-image': {
      const after = await cluster.setImage(step.namespace, step.deployment, step.container, step.image, dry);
      return { ...base, lines: [`image ${image(before)} → ${image(after)}`, ...restarts] };
    }
    case 'set-env': {
      const env = Object.fromEntries(Object.entries(step.env).map(([k, v]) => [k, String(v)]));
      await cluster.setEnv(step.namespace, step.deployment, step.container, env, dry);
      const c = before.containers.find((x) => x.name === step.container) ?? before.containers[0];
      return {
        ...base,
        lines: [...Object.entries(env).map(([k, v]) => `${k}: ${c?.env[k] ?? '(unset)'} → ${v}`), ...restarts],
      };
    }
    case 'set-memory-limit': {
      await cluster.setMemoryLimit(step.namespace, step.deployment, step.container, step.limit, dry);
      const c = before.containers.find((x) => x.name === step.container) ?? before.containers[0];
      return { ...base, lines: [`memory limit ${c?.memoryLimit ?? '(none)'} → ${step.limit}`, ...restarts] };
    }
    default:
      throw new Error(`${step.action} is read-only`);
  }
}

/** Applies an approved mutating step, refusing if the target moved on since the preview. */
export async function executeStep(cluster: Cluster, step: Step, preview: Preview, now: Date): Promise<string> {
  const o = { dryRun: false, ...(preview.resourceVersion && { resourceVersion: preview.resourceVersion }) };
  switch (step.action) {
    case 'rollout-restart':
      await cluster.restart(step.namespace, step.deployment, now, o);
      return `${preview.target} restarted`;
    case 'scale':
      await cluster.scale(step.namespace, step.deployment, Number(step.replicas), o);
      return `${preview.target} scaled to ${step.replicas}`;
    case 'rollout-undo': {
      const r = await cluster.undo(step.namespace, step.deployment, Number(step.revision ?? 0), o);
      return r.outcome === 'already'
        ? `${preview.target} was already at revision ${r.revision}`
        : `${preview.target} rolled back to revision ${r.revision}`;
    }
    case 'set-image':
      await cluster.setImage(step.namespace, step.deployment, step.container, step.image, o);
      return `${preview.target} image set to ${step.image}`;
    case 'set-env':
      await cluster.setEnv(
        step.namespace,
        step.deployment,
        step.container,
        Object.fromEntries(Object.entries(step.env).map(([k, v]) => [k, String(v)])),
        o,
      );
      return `${preview.target} environment updated`;
    case 'set-memory-limit':
      await cluster.setMemoryLimit(step.namespace, step.deployment, step.container, step.limit, o);
      return `${preview.target} memory limit set to ${step.limit}`;
    case 'patch-configmap':
      await cluster.patchConfigMap(step.namespace, step.name, step.key, String(step.value), { dryRun: false });
      return `ConfigMap ${preview.target} ${step.key} set`;
    default:
      throw new Error(`${step.action} is read-only`);
  }
}
