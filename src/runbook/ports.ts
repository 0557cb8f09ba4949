/**
 * What the runbook domain needs from a Kubernetes cluster, one role per interface. Every method
 * throws `ClusterFailure` (from errors.ts) with a message an SRE can act on.
 */
import type {
  AutoscalerView,
  DeploymentView,
  EventView,
  MutationOptions,
  PodUsage,
  PodView,
  RevisionView,
  RolloutResult,
  UndoResult,
  WarningEventView,
} from './cluster-views.js';

/** What a change reads of its target: before the preview, and before every attempt to apply. */
export interface ClusterReads {
  getDeployment(namespace: string, name: string): Promise<DeploymentView>;
  listPods(namespace: string, deployment: string): Promise<PodView[]>;
  /** The deployment's revisions, oldest first. */
  history(namespace: string, deployment: string): Promise<RevisionView[]>;
  configMapValue(namespace: string, name: string, key: string): Promise<string | null>;
}

/** What a responder looks at when a service misbehaves; read-only steps show it. */
export interface ClusterDiagnostics {
  recentEvents(namespace: string, deployment: string): Promise<EventView[]>;
  /** Warning events of the deployment, its ReplicaSets and its pods, newest last. */
  warningEvents(namespace: string, deployment: string): Promise<WarningEventView[]>;
  podUsage(namespace: string, deployment: string): Promise<PodUsage>;
  autoscalers(namespace: string, deployment: string): Promise<AutoscalerView[]>;
  logs(namespace: string, deployment: string, opts: { tail: number; filter?: string }): Promise<string[]>;
}

/** kubectl's changes, each with a server-side dry run and a check of the fresh read before it applies. */
export interface ClusterMutations {
  restart(namespace: string, name: string, at: Date, opts: MutationOptions): Promise<DeploymentView>;
  scale(namespace: string, name: string, replicas: number, opts: MutationOptions): Promise<DeploymentView>;
  /** Rolls back to `revision` (0: the previous one); `already` when the template already matches it. */
  undo(namespace: string, name: string, revision: number, opts: MutationOptions): Promise<UndoResult>;
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
}

/** kubectl's rollout status. */
export interface RolloutWatch {
  /** Follows the rollout until it completes, fails or `timeoutMs` passes, reporting each new state. */
  rolloutStatus(
    namespace: string,
    name: string,
    timeoutMs: number,
    onProgress: (message: string) => void,
  ): Promise<RolloutResult>;
}

/** The whole cluster, as the run engine uses it. */
export interface Cluster extends ClusterReads, ClusterDiagnostics, ClusterMutations, RolloutWatch {}
