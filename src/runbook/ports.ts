/** What the runbook domain needs from a Kubernetes cluster, from Postgres, from chat and from timers. */

/** A deployment as the runbook shows and checks it. */
export interface DeploymentView {
  readonly namespace: string;
  readonly name: string;
  readonly resourceVersion: string;
  readonly generation: number;
  readonly replicas: number;
  readonly revision: number;
  readonly paused: boolean;
  /** Digest of the pod template without the controller's pod-template-hash label: what restart, rollback, image, env and memory steps change. */
  readonly templateDigest: string;
  readonly containers: readonly {
    name: string;
    image: string;
    env: Readonly<Record<string, string>>;
    memoryLimit: string | null;
  }[];
  readonly status: {
    readonly observedGeneration: number;
    readonly replicas: number;
    readonly updated: number;
    readonly available: number;
    readonly progressDeadlineExceeded: boolean;
  };
}

/** One revision in a deployment's rollout history. */
export interface RevisionView {
  readonly revision: number;
  readonly replicaSet: string;
  readonly images: readonly string[];
  /** Digest of the ReplicaSet's pod template, as for `DeploymentView.templateDigest`. */
  readonly templateDigest: string;
}

/** A pod of a deployment, with what a responder looks at first. */
export interface PodView {
  readonly name: string;
  readonly phase: string;
  readonly ready: boolean;
  readonly restarts: number;
  /** Why its containers last stopped (OOMKilled, Error…), when they did. */
  readonly lastTermination: { reason: string; exitCode: number; at: string } | null;
}

/** CPU and memory per pod from metrics.k8s.io, or why there are none. */
export type PodUsage =
  | { readonly available: true; readonly pods: readonly { name: string; cpuMillicores: number; memoryBytes: number }[] }
  | { readonly available: false; readonly reason: string };

/** A HorizontalPodAutoscaler that targets the deployment. */
export interface AutoscalerView {
  readonly name: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly currentReplicas: number;
  readonly desiredReplicas: number;
  /** Each metric as `current/target`, as `kubectl get hpa` prints it. */
  readonly targets: readonly string[];
  readonly conditions: readonly string[];
}

/** A fresh read of what a step is about to change, handed to its check before every attempt to apply. */
export type Observed =
  | { readonly kind: 'deployment'; readonly deployment: DeploymentView; readonly rollbackTo?: RevisionView }
  | { readonly kind: 'configmap'; readonly value: string | null };

/** Options of every mutating call. */
export interface MutationOptions {
  /** A server-side dry run: nothing is stored. */
  readonly dryRun: boolean;
  /**
   * Called with each fresh read before an attempt to apply; throws (`SpecChanged`) to apply
   * nothing. A write that raced the attempt (a status update, which moves resourceVersion) is
   * retried on a fresh read a bounded number of times, as client-go's RetryOnConflict does.
   */
  readonly verify?: (observed: Observed) => void;
}

/** Why a cluster call failed, in words an SRE can act on. Messages hold no upstream body verbatim. */
export class ClusterFailure extends Error {
  constructor(
    readonly code: 'forbidden' | 'not_found' | 'conflict' | 'invalid' | 'timeout' | 'unreachable' | 'refused',
    message: string,
  ) {
    super(message);
    this.name = 'ClusterFailure';
  }
}

/** The spec moved on since the preview, so nothing was applied; `reason` says what changed. */
export class SpecChanged extends ClusterFailure {
  constructor(readonly reason: string) {
    super('conflict', `Nothing was applied: ${reason}. Review the new preview and approve again.`);
    this.name = 'SpecChanged';
  }
}

/** The cluster, through the Kubernetes API. Methods throw `ClusterFailure`. */
export interface Cluster {
  getDeployment(namespace: string, name: string): Promise<DeploymentView>;
  listPods(namespace: string, deployment: string): Promise<PodView[]>;
  recentEvents(namespace: string, deployment: string): Promise<{ at: string; reason: string; message: string }[]>;
  /** Warning events of the deployment, its ReplicaSets and its pods, newest last. */
  warningEvents(
    namespace: string,
    deployment: string,
  ): Promise<{ at: string; object: string; reason: string; message: string; count: number }[]>;
  podUsage(namespace: string, deployment: string): Promise<PodUsage>;
  autoscalers(namespace: string, deployment: string): Promise<AutoscalerView[]>;
  history(namespace: string, deployment: string): Promise<RevisionView[]>;
  logs(namespace: string, deployment: string, opts: { tail: number; filter?: string }): Promise<string[]>;
  configMapValue(namespace: string, name: string, key: string): Promise<string | null>;
  restart(namespace: string, name: string, at: Date, opts: MutationOptions): Promise<DeploymentView>;
  scale(namespace: string, name: string, replicas: number, opts: MutationOptions): Promise<DeploymentView>;
  /** Rolls back to `revision` (0: the previous one); `already` when the template already matches it. */
  undo(
    namespace: string,
    name: string,
    revision: number,
    opts: MutationOptions,
  ): Promise<
    | { outcome: 'patched'; revision: number; target: RevisionView; deployment: DeploymentView }
    | { outcome: 'already'; revision: number }
  >;
  setImage(
    namespace: string,
    name: string,
    container: string,
    image: string,
    opts: MutationOptions,
  ): Promise<DeploymentView>;
  setEnv(
    namespace: string,
    name: string,
    container: string | undefined,
    env: Readonly<Record<string, string>>,
    opts: MutationOptions,
  ): Promise<DeploymentView>;
  setMemoryLimit(
    namespace: string,
    name: string,
    container: string | undefined,
    limit: string,
    opts: MutationOptions,
  ): Promise<DeploymentView>;
  patchConfigMap(
    namespace: string,
    name: string,
    key: string,
    value: string,
    opts: MutationOptions,
  ): Promise<{ before: string | null; after: string }>;
  /** Follows the rollout until it completes, fails or `timeoutMs` passes, reporting each new state. */
  rolloutStatus(
    namespace: string,
    name: string,
    timeoutMs: number,
    onProgress: (message: string) => void,
  ): Promise<{ done: boolean; message: string }>;
}

/** States of a run; changes between them are conditional, so each happens once. */
export type RunState =
  | 'awaiting_approval'
  | 'approved'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'denied'
  | 'expired'
  | 'interrupted'
  | 'withdrawn';

/** What an approval is for: the target's spec as previewed. Status writes never change it. */
export interface SpecBinding {
  /** The deployment's metadata.generation (null for a ConfigMap, which has none). */
  readonly generation: number | null;
  /** Digest of exactly what the step applies: the pod template, the replicas, or the ConfigMap key's value. */
  readonly digest: string;
  /** What the preview saw, to say what changed when it no longer holds. */
  readonly seen: {
    readonly replicas?: number;
    readonly images?: readonly string[];
    readonly revision?: number;
    readonly value?: string | null;
    /** The rollback target, pinned: if its template changes, the rollback is not applied. */
    readonly rollbackTo?: RevisionView;
  };
}

/** What a dry run showed would change: the preview people approve. */
export interface Preview {
  readonly step: number;
  readonly action: string;
  readonly target: string;
  readonly lines: readonly string[];
  /** Ties the card's buttons to this preview: a click carrying another token is refused. */
  readonly token: string;
  readonly binding: SpecBinding;
  /** Why the preview before this one was not run, shown at the top of its card. */
  readonly replaces?: string;
}

/** A runbook run as stored. */
export interface Run {
  readonly id: string;
  readonly incidentId: string;
  readonly playbook: string;
  readonly params: Readonly<Record<string, string | number>>;
  readonly target: string;
  readonly requestedBy: string;
  readonly requestedAt: Date;
  /** The incident commander when the run was requested: a later IC is not an approver of it. */
  readonly commander: string;
  readonly state: RunState;
  readonly step: number;
  readonly preview: Preview | null;
  readonly expiresAt: Date | null;
  readonly decidedBy: string | null;
  readonly decidedAt: Date | null;
  readonly channel: string | null;
  readonly cardTs: string | null;
  readonly progressTs: string | null;
  readonly outcome: string | null;
}
