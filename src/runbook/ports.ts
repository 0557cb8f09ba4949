/** What the runbook domain needs from a Kubernetes cluster. */

/** A deployment as the runbook shows and checks it. */
export interface DeploymentView {
  readonly namespace: string;
  readonly name: string;
  readonly resourceVersion: string;
  readonly generation: number;
  readonly replicas: number;
  readonly revision: number;
  readonly paused: boolean;
  readonly containers: readonly { name: string; image: string; env: Readonly<Record<string, string>>; memoryLimit: string | null }[];
  readonly status: { readonly observedGeneration: number; readonly replicas: number; readonly updated: number; readonly available: number; readonly progressDeadlineExceeded: boolean };
}

/** One revision in a deployment's rollout history. */
export interface RevisionView {
  readonly revision: number;
  readonly replicaSet: string;
  readonly images: readonly string[];
}

/** Options of every mutating call: a server-side dry run, and the version the change was approved against. */
export interface MutationOptions {
  readonly dryRun: boolean;
  /** When set, the server refuses the change (409) if the object moved on since. */
  readonly resourceVersion?: string;
}

/** Why a cluster call failed, in words an SRE can act on. */
export class ClusterFailure extends Error {
  constructor(
    readonly code: 'forbidden' | 'not_found' | 'conflict' | 'invalid' | 'timeout' | 'unreachable' | 'refused',
    message: string,
  ) {
    super(message);
    this.name = 'ClusterFailure';
  }
}

/** The cluster, through the Kubernetes API. Methods throw `ClusterFailure`. */
export interface Cluster {
  getDeployment(namespace: string, name: string): Promise<DeploymentView>;
  listPods(namespace: string, deployment: string): Promise<{ name: string; phase: string; ready: boolean; restarts: number }[]>;
  recentEvents(namespace: string, deployment: string): Promise<{ at: string; reason: string; message: string }[]>;
  history(namespace: string, deployment: string): Promise<RevisionView[]>;
  logs(namespace: string, deployment: string, opts: { tail: number; filter?: string }): Promise<string[]>;
  restart(namespace: string, name: string, at: Date, opts: MutationOptions): Promise<DeploymentView>;
  scale(namespace: string, name: string, replicas: number, opts: MutationOptions): Promise<DeploymentView>;
  /** Rolls back to `revision` (0: the previous one); `already` when the template already matches it. */
  undo(namespace: string, name: string, revision: number, opts: MutationOptions): Promise<{ outcome: 'patched'; revision: number; deployment: DeploymentView } | { outcome: 'already'; revision: number }>;
  setImage(namespace: string, name: string, container: string, image: string, opts: MutationOptions): Promise<DeploymentView>;
  setEnv(namespace: string, name: string, container: string | undefined, env: Readonly<Record<string, string>>, opts: MutationOptions): Promise<DeploymentView>;
  setMemoryLimit(namespace: string, name: string, container: string | undefined, limit: string, opts: MutationOptions): Promise<DeploymentView>;
  patchConfigMap(namespace: string, name: string, key: string, value: string, opts: MutationOptions): Promise<{ before: string | null; after: string }>;
  /** Follows the rollout until it completes, fails or `timeoutMs` passes, reporting each new state. */
  rolloutStatus(namespace: string, name: string, timeoutMs: number, onProgress: (message: string) => void): Promise<{ done: boolean; message: string }>;
}
