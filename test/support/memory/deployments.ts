import { createHash } from 'node:crypto';
import { ClusterFailure } from '../../../src/errors.js';
import type { ContainerView, DeploymentView, RevisionView } from '../../../src/runbook/cluster-views.js';

/** A deployment as the fake holds it: its spec, and the ReplicaSets of its history by template. */
export interface Stored {
  namespace: string;
  name: string;
  generation: number;
  resourceVersion: number;
  replicas: number;
  paused: boolean;
  containers: ContainerView[];
  restartedAt: string | null;
  revision: number;
  /** The ReplicaSets the deployment controller keeps, by template digest. */
  history: Map<string, { revision: number; template: Template }>;
}

/** A pod template, as far as the runbook steps change it. */
interface Template {
  readonly containers: ContainerView[];
  readonly restartedAt: string | null;
}

/** A change a test makes as someone else would with kubectl, outside Firebreak. */
export interface OutsideChange {
  readonly replicas?: number;
  readonly image?: string;
  readonly paused?: boolean;
}

/** Digest of a pod template, as `DeploymentView.templateDigest` carries it. */
export const digest = (d: Template) =>
  createHash('sha256')
    .update(JSON.stringify([d.containers, d.restartedAt]))
    .digest('hex')
    .slice(0, 32);

/**
 * Deployments and ConfigMaps in memory, kept as the API server and the deployment controller keep
 * them: a spec change bumps the generation, a template change makes a new revision (or reuses the
 * ReplicaSet of a matching template, as a rollback does), a status write moves only
 * resourceVersion, and a change that changes nothing bumps nothing. A test changes them as
 * someone else would with kubectl.
 */
export class MemoryDeployments {
  private readonly deployments = new Map<string, Stored>();
  private readonly configMaps = new Map<string, Record<string, string>>();

  addDeployment(namespace: string, name: string, spec: { image: string; replicas: number }): void {
    const d: Stored = {
      namespace,
      name,
      generation: 1,
      resourceVersion: 1,
      replicas: spec.replicas,
      paused: false,
      containers: [{ name, image: spec.image, env: {}, memoryLimit: '512Mi' }],
      restartedAt: null,
      revision: 1,
      history: new Map(),
    };
    d.history.set(digest(d), { revision: 1, template: templateOf(d) });
    this.deployments.set(`${namespace}/${name}`, d);
  }

  addConfigMap(namespace: string, name: string, data: Record<string, string>): void {
    this.configMaps.set(`${namespace}/${name}`, { ...data });
  }

  /** Someone else changed the deployment's spec (kubectl scale, set image, rollout pause). */
  change(namespace: string, name: string, change: OutsideChange): void {
    const d = this.stored(namespace, name);
    this.store(
      d,
      this.edited(d, (next) => {
        if (change.replicas !== undefined) next.replicas = change.replicas;
        if (change.paused !== undefined) next.paused = change.paused;
        if (change.image !== undefined) next.containers[0] = { ...next.containers[0]!, image: change.image };
      }),
    );
  }

  /** A status write (a pod's readiness flapped): resourceVersion moves, the spec does not. */
  touchStatus(namespace: string, name: string): void {
    this.stored(namespace, name).resourceVersion += 1;
  }

  /** A ConfigMap key was changed from outside. */
  setConfigMapValue(namespace: string, name: string, key: string, value: string): void {
    this.configMaps.get(`${namespace}/${name}`)![key] = value;
  }

  /**
   * The deployment after `edit`, as the API server and the deployment controller keep it: a spec
   * change bumps the generation and resourceVersion, a new template becomes the newest revision
   * (reusing the ReplicaSet of the same template, as a rollback does), and no change bumps nothing.
   */
  protected edited(d: Stored, edit: (next: Stored) => void): Stored {
    const next: Stored = { ...d, containers: structuredClone(d.containers), history: new Map(d.history) };
    edit(next);
    const template = digest(next) !== digest(d);
    if (!template && next.replicas === d.replicas && next.paused === d.paused) return next;
    next.generation += 1;
    next.resourceVersion += 1;
    if (template) {
      next.revision = Math.max(...[...next.history.values()].map((h) => h.revision)) + 1;
      next.history.set(digest(next), { revision: next.revision, template: templateOf(next) });
    }
    return next;
  }

  protected store(d: Stored, next: Stored): void {
    this.deployments.set(`${d.namespace}/${d.name}`, next);
  }

  protected stored(namespace: string, name: string): Stored {
    const d = this.deployments.get(`${namespace}/${name}`);
    if (!d)
      throw new ClusterFailure(
        'not_found',
        `Not found while reading deployment ${namespace}/${name}: deployments.apps "${name}" not found. Check the namespace and name.`,
      );
    return d;
  }

  protected configMap(namespace: string, name: string): Record<string, string> {
    const cm = this.configMaps.get(`${namespace}/${name}`);
    if (!cm)
      throw new ClusterFailure(
        'not_found',
        `Not found while reading ConfigMap ${namespace}/${name}. Check the namespace and name.`,
      );
    return cm;
  }
}

export function revisions(d: Stored): RevisionView[] {
  return [...d.history]
    .map(([templateDigest, h]) => ({
      revision: h.revision,
      replicaSet: `${d.name}-${templateDigest.slice(0, 10)}`,
      images: h.template.containers.map((c) => c.image),
      templateDigest,
    }))
    .sort((a, b) => a.revision - b.revision);
}

function templateOf(d: Template): Template {
  return structuredClone({ containers: d.containers, restartedAt: d.restartedAt });
}

export function view(d: Stored): DeploymentView {
  return structuredClone({
    namespace: d.namespace,
    name: d.name,
    resourceVersion: String(d.resourceVersion),
    generation: d.generation,
    replicas: d.replicas,
    revision: d.revision,
    paused: d.paused,
    templateDigest: digest(d),
    containers: d.containers,
    status: {
      observedGeneration: d.generation,
      replicas: d.replicas,
      updated: d.replicas,
      available: d.replicas,
      progressDeadlineExceeded: false,
    },
  });
}
