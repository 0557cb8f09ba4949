/** What runs need from Postgres, chat, timers and the incident they belong to, one role per interface. */
import type { IncidentStore } from '../incident/ports.js';
import type { NewRun, Run, RunChange, RunMessages, RunState } from './run.js';
import type { RunAction, RunActionKind, RunActionSpec, RunActionStatus, TransitionOptions } from './run-actions.js';
import type { RunNotice } from './run-notice.js';

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
  /** Moves the run from one of `from` to `to`; undefined when it was not in `from` (or a guard failed). */
  transition(
    id: string,
    from: readonly RunState[],
    to: RunState,
    change: RunChange,
    options?: TransitionOptions,
  ): Promise<Run | undefined>;
  setMessages(id: string, messages: RunMessages): Promise<void>;
}

/** Runs found by what they wait for. */
export interface RunQueries {
  /** When the last approved (so executed or attempted) run that changes `target`, first or later, finished: the cooldown counts from it. */
  lastFinished(target: string): Promise<Date | null>;
  /** Runs awaiting approval, of one incident or of all. */
  awaiting(incidentId?: string): Promise<Run[]>;
  /** Runs left `running` or `approved` with no action to carry them on. */
  orphans(): Promise<Run[]>;
}

/** The audit trail of runs. */
export interface RunAudit {
  audit(
    run: Pick<Run, 'id' | 'incidentId'>,
    at: Date,
    actor: string,
    event: string,
    detail?: Record<string, unknown>,
  ): Promise<void>;
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
  /** How long a claim lasts before another replica may take it. */
  readonly leaseMs: number;
}

/** What the outbox holds, for the sweep, start-up and honest replies. */
export interface RunOutboxQueries {
  /** Runs with actions due now (the sweep and start-up). */
  due(now: Date): Promise<string[]>;
  /** Each run with pending actions and when the next is due (to put their prompts back). */
  scheduled(): Promise<{ runId: string; at: Date }[]>;
  /** Where the run's last action of `kind` stands: for telling the requester the truth. */
  status(runId: string, kind: RunActionKind): Promise<RunActionStatus | undefined>;
}

/** Posting and editing run messages, and who is in an approver group. Methods throw `ChatFailure`. */
export interface RunbookChat {
  /**
   * Posts a notice. With `once`, the message carries the key, and a retry (`retry: true`) first
   * looks for it: a crash between posting and recording never posts the card twice.
   */
  post(channel: string, notice: RunNotice, once?: { key: string; retry: boolean }): Promise<string>;
  edit(channel: string, ts: string, notice: RunNotice): Promise<void>;
  /** The people an approver entry stands for: a person is themself, a user group its members (the adapter tells which). */
  members(personOrGroupId: string): Promise<string[]>;
}

/** Prompts for run work; the handlers re-read Postgres and decide. */
export interface RunTimers {
  /** Prompts the run's due actions at `at`. */
  actions(runId: string, at: Date): Promise<void>;
  expire(runId: string, at: Date): Promise<void>;
}

/** The incidents runs belong to: read to re-check the guards, and written to with each run event. */
export interface RunIncidents extends Pick<IncidentStore, 'get' | 'addTimeline'> {}
