/** What the runbook domain sees of a Kubernetes cluster: plain views, built by the cluster adapter. */
import type { BackendKey } from './database-views.js';

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
  readonly containers: readonly ContainerView[];
  readonly status: {
    readonly observedGeneration: number;
    readonly replicas: number;
    readonly updated: number;
    readonly available: number;
    readonly progressDeadlineExceeded: boolean;
  };
}

/** A container of a deployment's pod template. */
export interface ContainerView {
  readonly name: string;
  readonly image: string;
  readonly env: Readonly<Record<string, string>>;
  readonly memoryLimit: string | null;
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

/** CPU and memory of one pod, summed over its containers. */
export interface PodUsageView {
  readonly name: string;
  readonly cpuMillicores: number;
  readonly memoryBytes: number;
}

/** CPU and memory per pod from metrics.k8s.io, or why there are none. */
export type PodUsage =
  | { readonly available: true; readonly pods: readonly PodUsageView[] }
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

/** An event of the deployment itself. */
export interface EventView {
  readonly at: string;
  readonly reason: string;
  readonly message: string;
}

/** A warning event of the deployment or of what it owns (`object` is `kind/name`). */
export interface WarningEventView extends EventView {
  readonly object: string;
  readonly count: number;
}

/** A fresh read of what a step is about to change, handed to its check before every attempt to apply. */
export type Observed =
  | { readonly kind: 'deployment'; readonly deployment: DeploymentView; readonly rollbackTo?: RevisionView }
  | { readonly kind: 'configmap'; readonly value: string | null }
  /** Each listed backend and what holds its pid now (null: nothing). */
  | {
      readonly kind: 'backends';
      readonly now: readonly {
        readonly key: BackendKey;
        readonly found: Pick<BackendKey, 'backendStart' | 'queryStart' | 'state'> | null;
      }[];
    };

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

/** What a rollback did: patched to `revision`, or nothing because the template already matched it. */
export type UndoResult =
  | {
      readonly outcome: 'patched';
      readonly revision: number;
      readonly target: RevisionView;
      readonly deployment: DeploymentView;
    }
  | { readonly outcome: 'already'; readonly revision: number };

/** What a rollout watch ended with: done, or not (failed, timed out or the watch ended), and kubectl's words. */
export interface RolloutResult {
  readonly done: boolean;
  readonly message: string;
}
