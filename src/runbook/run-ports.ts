import type { Preview, Run, RunState } from './ports.js';

/**
 * What a run does next, written in the same transaction as the state change that calls for it
 * (the run outbox): a crash or a Redis outage between the two cannot lose it.
 */
export type RunActionSpec =
  /** Runs the read-only steps from `from`, then previews the next change or finishes. */
  | { readonly kind: 'continue'; readonly from: number }
  /** Applies approved step `step`, if its preview (`token`) still holds. */
  | { readonly kind: 'execute'; readonly step: number; readonly token: string }
  /** Posts the approval card of preview `token`. */
  | { readonly kind: 'ask'; readonly token: string }
  /** Edits the run's current card to show its current state. */
  | { readonly kind: 'card' }
  /** Edits an older card whose preview was not run, saying why. */
  | {
      readonly kind: 'superseded';
      readonly channel: string;
      readonly ts: string;
      readonly preview: Preview;
      readonly reason: string;
      readonly approvedBy: string | null;
    }
  /** Edits the card of a step that was applied, before the next step gets a card of its own. */
  | {
      readonly kind: 'applied';
      readonly channel: string;
      readonly ts: string;
      readonly preview: Preview;
      readonly approvedBy: string | null;
      readonly message: string;
    }
  /** Posts a message about the run. */
  | { readonly kind: 'post'; readonly message: RunMessage };

export type RunActionKind = RunActionSpec['kind'];

/** A message about a run, as stored with a `post` action. */
export type RunMessage =
  | { readonly kind: 'progress'; readonly lines: readonly string[] }
  | { readonly kind: 'result'; readonly ok: boolean; readonly lines: readonly string[] }
  /** To the requester: the approval card could not be posted, so the run was withdrawn. */
  | { readonly kind: 'withdrawn'; readonly to: string; readonly reason: string };

/** A claimed action, held under a lease until completed, retried or failed. */
export interface RunAction {
  readonly id: number;
  readonly runId: string;
  readonly spec: RunActionSpec;
  readonly attempts: number;
}

/** A new run: its first action is stored with it. */
export type NewRun = Omit<
  Run,
  'decidedBy' | 'decidedAt' | 'cardTs' | 'progressTs' | 'outcome' | 'preview' | 'expiresAt'
>;

/** Options of a state change: its guards, and the actions it sets in motion. */
export interface TransitionOptions {
  /** Only if the run's current preview carries this token. */
  readonly token?: string;
  /** Only if the request has not expired at this time. */
  readonly unexpiredAt?: Date;
  /** Actions to store with the change. */
  readonly actions?: readonly RunActionSpec[];
  /** The claimed action that made this change: completed with it. */
  readonly completes?: number;
}

/** Run persistence. Every state change is one conditional update: it happens once. */
export interface RunStore {
  /**
   * Creates the run with its first action. `busy` when another run holds the target; `existing`
   * when a run was already made for `key` (a repeated delivery of the same command).
   */
  create(
    run: NewRun,
    first: RunActionSpec,
    key: string | undefined,
  ): Promise<{ created: Run } | { busy: true } | { existing: Run }>;
  get(id: string): Promise<Run | undefined>;
  /** When the last approved (so executed or attempted) run on `target` finished: the cooldown counts from it. */
  lastFinished(target: string): Promise<Date | null>;
  /** Moves the run from one of `from` to `to`; undefined when it was not in `from` (or a guard failed). */
  transition(
    id: string,
    from: readonly RunState[],
    to: RunState,
    patch: Partial<Pick<Run, 'step' | 'preview' | 'expiresAt' | 'decidedBy' | 'decidedAt' | 'outcome'>> & {
      finished?: Date;
      /** `null` forgets the card: a new preview gets a card of its own. */
      cardTs?: null;
    },
    options?: TransitionOptions,
  ): Promise<Run | undefined>;
  setMessages(id: string, patch: { channel?: string; cardTs?: string; progressTs?: string }): Promise<void>;
  audit(
    run: Pick<Run, 'id' | 'incidentId'>,
    at: Date,
    actor: string,
    event: string,
    detail?: Record<string, unknown>,
  ): Promise<void>;
  /** Runs awaiting approval, of one incident or of all. */
  awaiting(incidentId?: string): Promise<Run[]>;
  /** Runs left `running` or `approved` with no action to carry them on. */
  orphans(): Promise<Run[]>;
}

/** The run outbox: actions are claimed under a lease, so a replica that dies hands them on. */
export interface RunOutbox {
  /** Claims the run's oldest due action of one of `kinds`; undefined when there is none. */
  claim(runId: string, now: Date, kinds: readonly RunActionKind[]): Promise<RunAction | undefined>;
  /** Holds a claimed action for another lease (long steps such as rollout status). */
  extend(actionId: number, now: Date): Promise<void>;
  complete(actionId: number): Promise<void>;
  retry(actionId: number, at: Date, error: string): Promise<void>;
  fail(actionId: number, error: string): Promise<void>;
  /** Runs with actions due now (the sweep and start-up). */
  due(now: Date): Promise<string[]>;
  /** Each run with pending actions and when the next is due (to put their prompts back). */
  scheduled(): Promise<{ runId: string; at: Date }[]>;
  /** Where the run's last action of `kind` stands: for telling the requester the truth. */
  status(
    runId: string,
    kind: RunActionKind,
  ): Promise<{ state: string; lastError: string | null; nextAt: Date } | undefined>;
  /** How long a claim lasts before another replica may take it. */
  readonly leaseMs: number;
}

/** What chat shows of a run; the Slack adapter decides how it looks. */
export type RunNotice =
  /** The run's card as its state says: buttons while it awaits approval, the decision and result after. */
  | { readonly kind: 'card'; readonly run: Run; readonly title: string }
  | {
      readonly kind: 'superseded';
      readonly run: Run;
      readonly title: string;
      readonly preview: Preview;
      readonly reason: string;
      readonly approvedBy: string | null;
    }
  | {
      readonly kind: 'applied';
      readonly run: Run;
      readonly title: string;
      readonly preview: Preview;
      readonly approvedBy: string | null;
      readonly message: string;
    }
  | ({ readonly run: Run; readonly title: string } & RunMessage);

/** Posting and editing run messages, and who is in an approver group. Methods throw `ChatFailure`. */
export interface RunbookChat {
  /**
   * Posts a notice. With `once`, the message carries the key, and a retry (`retry: true`) first
   * looks for it: a crash between posting and recording never posts the card twice.
   */
  post(channel: string, notice: RunNotice, once?: { key: string; retry: boolean }): Promise<string>;
  edit(channel: string, ts: string, notice: RunNotice): Promise<void>;
  members(groupId: string): Promise<string[]>;
}

/** Prompts for run work; the handlers re-read Postgres and decide. */
export interface RunTimers {
  /** Prompts the run's due actions at `at`. */
  actions(runId: string, at: Date): Promise<void>;
  expire(runId: string, at: Date): Promise<void>;
}
