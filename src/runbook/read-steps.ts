/** Read-only steps: what a responder looks at, as plain lines. */
import { parseDuration } from '../incident/duration.js';
import type { DeploymentView } from './cluster-views.js';
import type { Step } from './playbook-schema.js';
import type { ClusterDiagnostics, ClusterReads, RolloutWatch } from './ports.js';
import type { DeploymentStep } from './template.js';
import { untrusted } from './text.js';

const image = (d: DeploymentView) => d.containers.map((c) => c.image).join(', ');
const mb = (bytes: number) => `${Math.round(bytes / 1048576)}Mi`;
const none = (lines: string[], empty: string) => (lines.length ? lines : [empty]);

/** Runs a read-only step and returns what it found, as plain lines (cluster text made safe by `untrusted`). */
export async function readStep(
  cluster: ClusterReads & ClusterDiagnostics & RolloutWatch,
  step: Step,
  onProgress: (line: string) => void,
): Promise<{ ok: boolean; lines: string[] }> {
  const { namespace, deployment } = step as DeploymentStep;
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
      const ms = parseDuration(step.timeout)!;
      const r = await cluster.rolloutStatus(namespace, deployment, ms, (m) => onProgress(untrusted(m)));
      return { ok: r.done, lines: [untrusted(r.message)] };
    }
    default:
      throw new Error(`${step.action} is not read-only`);
  }
}
