/** The run outbox's records: what a run does next, stored with the state change that calls for it. */
import type { Preview } from './run.js';

/**
 * What a run does next, written in the same transaction as the state change that calls for it
 * (the run outbox): a crash or a Redis outage between the two cannot lose it.
 */
export type RunActionSpec =
  /**
   * Runs the read-only steps from `from`, then previews the next change or finishes; `lines` (what
   * the step before did) open the lines it reports.
   */
  | { readonly kind: 'continue'; readonly from: number; readonly lines?: readonly string[] }
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

/** Where a run's last action of a kind stands. */
export interface RunActionStatus {
  readonly state: string;
  readonly lastError: string | null;
  readonly nextAt: Date;
}

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
