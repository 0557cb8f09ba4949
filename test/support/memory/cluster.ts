import { ClusterFailure } from '../../../src/errors.js';
import type {
  DeploymentView,
  MutationOptions,
  Observed,
  RevisionView,
  UndoResult,
} from '../../../src/runbook/cluster-views.js';
import type { Cluster } from '../../../src/runbook/ports.js';
import { digest, MemoryDeployments, revisions, type Stored, view } from './deployments.js';

/** A real (not dry-run) change the fake applied. */
export interface AppliedChange {
  readonly verb: keyof Cluster;
  readonly target: string;
}

/** A Kubernetes quantity, as the API server accepts one for a resource limit. */
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;

/**
 * The cluster port on in-memory deployments. Every mutation hands its fresh read to `verify`
 * before it applies, as the real adapter does; a dry run stores nothing; values the API server
 * refuses (negative replicas, a limit that is not a quantity) are refused.
 */
export class MemoryCluster extends MemoryDeployments implements Cluster {
  readonly applied: AppliedChange[] = [];
  readonly dryRuns: AppliedChange[] = [];
  /** What `rolloutStatus` answers; by default the rollout completes. */
  rollout = { done: true, message: 'successfully rolled out' };
  private readonly failures: { method: keyof Cluster; error: Error }[] = [];

  /** The next call of `method` throws `error` (once per call to this). */
  failNext(method: keyof Cluster, error: Error): void {
    this.failures.push({ method, error });
  }

  async getDeployment(namespace: string, name: string): Promise<DeploymentView> {
    this.maybeFail('getDeployment');
    return view(this.stored(namespace, name));
  }

  async listPods(namespace: string, deployment: string) {
    this.maybeFail('listPods');
    const d = this.stored(namespace, deployment);
    return Array.from({ length: d.replicas }, (_, i) => ({
      name: `${deployment}-${d.revision}-${i}`,
      phase: 'Running',
      ready: true,
      restarts: 0,
      lastTermination: null,
    }));
  }

  async history(namespace: string, deployment: string): Promise<RevisionView[]> {
    this.maybeFail('history');
    return revisions(this.stored(namespace, deployment));
  }

  async configMapValue(namespace: string, name: string, key: string): Promise<string | null> {
    this.maybeFail('configMapValue');
    return this.configMap(namespace, name)[key] ?? null;
  }

  async recentEvents() {
    return [];
  }

  async warningEvents() {
    return [];
  }

  async podUsage() {
    return { available: false as const, reason: 'metrics-server is not installed' };
  }

  async autoscalers() {
    return [];
  }

  async logs() {
    return [];
  }

  async restart(namespace: string, name: string, at: Date, o: MutationOptions): Promise<DeploymentView> {
    return this.mutate('restart', namespace, name, o, (d) => {
      if (d.paused) throw new ClusterFailure('refused', `can't restart paused deployment ${namespace}/${name}`);
      d.restartedAt = at.toISOString();
    });
  }

  async scale(namespace: string, name: string, replicas: number, o: MutationOptions): Promise<DeploymentView> {
    if (!Number.isInteger(replicas) || replicas < 0)
      throw new ClusterFailure(
        'invalid',
        `The cluster rejected scaling ${namespace}/${name}: spec.replicas must be a whole number of at least 0.`,
      );
    return this.mutate('scale', namespace, name, o, (d) => {
      d.replicas = replicas;
    });
  }

  async setImage(namespace: string, name: string, container: string, image: string, o: MutationOptions) {
    return this.mutate('setImage', namespace, name, o, (d) => {
      d.containers = d.containers.map((c) => (c.name === container ? { ...c, image } : c));
    });
  }

  async setEnv(
    namespace: string,
    name: string,
    container: string | undefined,
    env: Readonly<Record<string, string>>,
    o: MutationOptions,
  ) {
    return this.mutate('setEnv', namespace, name, o, (d) => {
      const target = container ?? d.containers[0]!.name;
      d.containers = d.containers.map((c) => (c.name === target ? { ...c, env: { ...c.env, ...env } } : c));
    });
  }

  async setMemoryLimit(
    namespace: string,
    name: string,
    container: string | undefined,
    limit: string,
    o: MutationOptions,
  ) {
    if (!QUANTITY.test(limit))
      throw new ClusterFailure(
        'invalid',
        `The cluster rejected raising the memory limit of ${namespace}/${name}: "${limit}" is not a quantity.`,
      );
    return this.mutate('setMemoryLimit', namespace, name, o, (d) => {
      const target = container ?? d.containers[0]!.name;
      d.containers = d.containers.map((c) => (c.name === target ? { ...c, memoryLimit: limit } : c));
    });
  }

  async undo(namespace: string, name: string, revision: number, o: MutationOptions): Promise<UndoResult> {
    this.maybeFail('undo');
    const d = this.stored(namespace, name);
    if (d.paused) throw new ClusterFailure('refused', 'you cannot rollback a paused deployment; resume it first');
    const all = revisions(d);
    const target = revision
      ? all.find((r) => r.revision === revision)
      : all.filter((r) => r.revision < d.revision).at(-1);
    if (!target)
      throw new ClusterFailure(
        'not_found',
        `no rollout history found for this deployment (${namespace}/${name}). Nothing was applied; its rollout history lists the revisions to roll back to.`,
      );
    if (target.templateDigest === digest(d)) return { outcome: 'already', revision: target.revision };
    o.verify?.({ kind: 'deployment', deployment: view(d), rollbackTo: target });
    const after = this.apply('undo', d, o, (next) => {
      const old = d.history.get(target.templateDigest)!.template;
      next.containers = structuredClone(old.containers);
      next.restartedAt = old.restartedAt;
    });
    return { outcome: 'patched', revision: target.revision, target, deployment: after };
  }

  async patchConfigMap(namespace: string, name: string, key: string, value: string, o: MutationOptions) {
    this.maybeFail('patchConfigMap');
    const data = this.configMap(namespace, name);
    const before = data[key] ?? null;
    o.verify?.({ kind: 'configmap', value: before } satisfies Observed);
    (o.dryRun ? this.dryRuns : this.applied).push({ verb: 'patchConfigMap', target: `${namespace}/${name}` });
    if (!o.dryRun) data[key] = value;
    return { before, after: value };
  }

  async rolloutStatus(namespace: string, name: string, _timeoutMs: number, onProgress: (message: string) => void) {
    this.maybeFail('rolloutStatus');
    const message = `deployment "${name}" ${this.rollout.message}`;
    this.stored(namespace, name);
    onProgress(message);
    return { done: this.rollout.done, message };
  }

  /** A fresh read, the check, then the change (stored unless it is a dry run). */
  private mutate(verb: keyof Cluster, namespace: string, name: string, o: MutationOptions, edit: (d: Stored) => void) {
    this.maybeFail(verb);
    const d = this.stored(namespace, name);
    o.verify?.({ kind: 'deployment', deployment: view(d) });
    return Promise.resolve(this.apply(verb, d, o, edit));
  }

  private apply(verb: keyof Cluster, d: Stored, o: MutationOptions, edit: (next: Stored) => void): DeploymentView {
    const next = this.edited(d, edit);
    (o.dryRun ? this.dryRuns : this.applied).push({ verb, target: `${d.namespace}/${d.name}` });
    if (!o.dryRun) this.store(d, next);
    return view(next);
  }

  private maybeFail(method: string): void {
    const i = this.failures.findIndex((f) => f.method === method);
    if (i >= 0) throw this.failures.splice(i, 1)[0]!.error;
  }
}
