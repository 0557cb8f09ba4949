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
  listPods(
    namespace: string,
    deployment: string,
  ): Promise<{ name: string; phase: string; ready: boolean; restarts: number }[]>;
  recentEvents(namespace: string, deployment: string): Promise<{ at: string; reason: string; message: string }[]>;
  history(namespace: string, deployment: string): Promise<RevisionView[]>;
  logs(namespace: string, deployment: string, opts: { tail: number; filter?: string }): Promise<string[]>;
  restart(namespace: string, name: string, at: Date, opts: MutationOptions): Promise<DeploymentView>;
  scale(namespace: string, name: string, replicas: number, opts: MutationOptions): Promise<DeploymentView>;
  /** Rolls back to `revision` (0: the previous one); `already` when the template already matches it. */
  undo(
    namespace: string,
    name: string,
    revision: number,
    opts: MutationOptions,
  ): Promise<
    { outcome: 'patched'; revision: number; deployment: DeploymentView } | { outcome: 'already'; revision: number }
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
  | 'interrupted';

/** What a dry run showed would change: the preview people approve. */
export interface Preview {
  readonly step: number;
  readonly action: string;
  readonly target: string;
  readonly lines: readonly string[];
  /** The version the preview was made against; execution refuses to touch anything newer. */
  readonly resourceVersion: string;
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

/** Run persistence. `transition` is a conditional update: it returns the run only if it was in one of `from`. */
export interface RunStore {
  /** Creates the run; false when another run on the same target is active. */
  create(
    run: Omit<Run, 'decidedBy' | 'decidedAt' | 'cardTs' | 'progressTs' | 'outcome' | 'preview' | 'expiresAt'>,
  ): Promise<boolean>;
  get(id: string): Promise<Run | undefined>;
  /** When the last approved (so executed or attempted) run on `target` finished: the cooldown counts from it. */
  lastFinished(target: string): Promise<Date | null>;
  transition(
    id: string,
    from: readonly RunState[],
    to: RunState,
    patch: Partial<Pick<Run, 'step' | 'preview' | 'expiresAt' | 'decidedBy' | 'decidedAt' | 'outcome'>> & {
      finished?: Date;
      requireUnexpiredAt?: Date;
    },
  ): Promise<Run | undefined>;
  setMessages(id: string, patch: { channel?: string; cardTs?: string; progressTs?: string }): Promise<void>;
  audit(
    run: Pick<Run, 'id' | 'incidentId'>,
    at: Date,
    actor: string,
    event: string,
    detail?: Record<string, unknown>,
  ): Promise<void>;
  /** At start-up: every run that was mid-step becomes `interrupted`; returns them. */
  interruptRunning(at: Date): Promise<Run[]>;
}

/** What the war room sees of a run; the Slack adapter decides how it looks. */
export type RunNotice =
  | { kind: 'approval'; run: Run; title: string; preview: Preview }
  | {
      kind: 'decided';
      run: Run;
      title: string;
      preview: Preview;
      verdict: 'approved' | 'denied' | 'expired';
      by: string | null;
      result?: { ok: boolean; lines: readonly string[] };
    }
  | { kind: 'progress'; run: Run; title: string; lines: readonly string[] }
  | { kind: 'result'; run: Run; title: string; ok: boolean; lines: readonly string[] };

/** Posting and editing run messages, and who is in an approver group. */
export interface RunbookChat {
  post(channel: string, notice: RunNotice): Promise<string>;
  edit(channel: string, ts: string, notice: RunNotice): Promise<void>;
  members(groupId: string): Promise<string[]>;
}

/** Prompts for run work; the handlers re-read Postgres and decide. */
export interface RunTimers {
  runStep(runId: string, step: number): Promise<void>;
  expire(runId: string, at: Date): Promise<void>;
}
