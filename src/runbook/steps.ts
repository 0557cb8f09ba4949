import { configMapBinding, deploymentBinding, verifierFor } from './binding.js';
import type { Step } from './playbook.js';
import { type Cluster, ClusterFailure, type DeploymentView, type Observed, type Preview } from './ports.js';
import { untrusted } from './text.js';

type Target = Step & { namespace: string; deployment: string };

const image = (d: DeploymentView) => d.containers.map((c) => c.image).join(', ');
const mb = (bytes: number) => `${Math.round(bytes / 1048576)}Mi`;
const none = (lines: string[], empty: string) => (lines.length ? lines : [empty]);

/** Runs a read-only step and returns what it found, as plain lines (cluster text made safe by `untrusted`). */
export async function readStep(
  cluster: Cluster,
  step: Step,
  onProgress: (line: string) => void,
): Promise<{ ok: boolean; lines: string[] }> {
  const { namespace, deployment } = step as Target;
  const found = (lines: string[]) => ({ ok: true, lines: lines.map((l) => untrusted(l)) });
  switch (step.action) {
    case 'get-deployment': {
      const d = await cluster.getDeployment(namespace, deployment);
      return found([
        `${d.namespace}/${d.name}: ${d.status.available}/${d.replicas} available, revision ${d.revision}, image ${image(d)}${d.paused ? ', PAUSED' : ''}`,
      ]);
    }
    case 'list-pods': {
      const pods = await cluster.listPods(namespace, deployment);
      return found(
        none(
          pods.map((p) => `${p.name}: ${p.phase}${p.ready ? ', ready' : ', NOT ready'}, ${p.restarts} restarts`),
          'no pods',
        ),
      );
    }
    case 'pod-restarts': {
      const pods = await cluster.listPods(namespace, deployment);
      const restarted = pods.filter((p) => p.restarts > 0 || p.lastTermination);
      return found(
        none(
          restarted.map(
            (p) =>
              `${p.name}: ${p.restarts} restarts${p.lastTermination ? `, last terminated ${p.lastTermination.reason} (exit ${p.lastTermination.exitCode}) at ${p.lastTermination.at}` : ''}${p.ready ? '' : ', NOT ready'}`,
          ),
          `no restarts among ${pods.length} pods`,
        ),
      );
    }
    case 'top-pods': {
      const usage = await cluster.podUsage(namespace, deployment);
      if (!usage.available) return found([usage.reason]);
      return found(
        none(
          usage.pods.map((p) => `${p.name}: CPU ${p.cpuMillicores}m, memory ${mb(p.memoryBytes)}`),
          'metrics-server has no figures for these pods yet',
        ),
      );
    }
    case 'hpa-status': {
      const hpas = await cluster.autoscalers(namespace, deployment);
      return found(
        none(
          hpas.map(
            (h) =>
              `${h.name}: ${h.currentReplicas} replicas (desired ${h.desiredReplicas}, min ${h.minReplicas}, max ${h.maxReplicas}), targets ${h.targets.join(', ') || '<none>'}${h.conditions.length ? `; ${h.conditions.join('; ')}` : ''}`,
          ),
          `no HorizontalPodAutoscaler targets ${namespace}/${deployment}`,
        ),
      );
    }
    case 'recent-events': {
      const events = await cluster.recentEvents(namespace, deployment);
      return found(
        none(
          events.map((e) => `${e.at} ${e.reason}: ${e.message}`),
          'no recent events',
        ),
      );
    }
    case 'warning-events': {
      const events = await cluster.warningEvents(namespace, deployment);
      return found(
        none(
          events.map((e) => `${e.at} ${e.object} ${e.reason}${e.count > 1 ? ` (x${e.count})` : ''}: ${e.message}`),
          'no warning events',
        ),
      );
    }
    case 'rollout-history': {
      const revisions = await cluster.history(namespace, deployment);
      return found(revisions.map((r) => `revision ${r.revision}: ${r.images.join(', ')} (${r.replicaSet})`));
    }
    case 'pod-logs': {
      const lines = await cluster.logs(namespace, deployment, {
        tail: step.tail,
        ...(step.filter && { filter: step.filter }),
      });
      return found(
        lines.length ? lines.slice(-20) : [`no log lines${step.filter ? ` matching "${step.filter}"` : ''}`],
      );
    }
    case 'rollout-status': {
      const ms = Number(step.timeout.slice(0, -1)) * (step.timeout.endsWith('m') ? 60_000 : 1000);
      const r = await cluster.rolloutStatus(namespace, deployment, ms, (m) => onProgress(untrusted(m)));
      return { ok: r.done, lines: [untrusted(r.message)] };
    }
    default:
      throw new Error(`${step.action} is not read-only`);
  }
}

/** `namespace/name` of what a mutating step changes. */
export function stepTarget(step: Step): string {
  const s = step as Step & { namespace: string; deployment?: string; name?: string };
  return `${s.namespace}/${s.deployment ?? s.name}`;
}

/** Reads what a mutating step would change, as the check before applying it sees it. */
export async function observe(cluster: Cluster, step: Step): Promise<Observed> {
  if (step.action === 'patch-configmap')
    return { kind: 'configmap', value: await cluster.configMapValue(step.namespace, step.name, step.key) };
  const { namespace, deployment } = step as Target;
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
  cluster: Cluster,
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
  const { namespace, deployment } = step as Target;
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
export async function executeStep(cluster: Cluster, step: Step, preview: Preview, now: Date): Promise<string> {
  const o = { dryRun: false, verify: verifierFor(preview) };
  const { namespace, deployment } = step as Target;
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
