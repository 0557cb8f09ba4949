/**
 * Typed errors with stable codes: one family for what the user does wrong and
 * what Slack, Postgres, the cluster, PagerDuty or a reviewed file refuses. A
 * `UserError` is the user's to fix and its message is shown to them as is;
 * every message says what to do next.
 */
export abstract class AppError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad usage, not allowed, not found, conflict, or a service not set up or not answering: shown to the user verbatim. */
export class UserError extends AppError {
  constructor(
    readonly code: 'usage' | 'not_allowed' | 'not_found' | 'conflict' | 'unavailable',
    message: string,
  ) {
    super(message);
  }
}

/** Postgres cannot be reached: nothing was recorded, the user should retry. */
export class StorageUnavailableError extends AppError {
  readonly code = 'storage_unavailable';
  constructor(options?: { cause?: unknown }) {
    super('Storage is unavailable right now, so nothing was recorded. Try again in a minute.', options);
  }
}

/**
 * Postgres went away while a change was being committed and could not say
 * afterwards whether it was: the change may or may not be recorded. Never
 * told as "recorded" or "failed", since either could be false.
 */
export class OutcomeUnknownError extends AppError {
  readonly code = 'outcome_unknown';
  constructor(options?: { cause?: unknown }) {
    super(
      'Postgres stopped answering just as this was being saved, so Firebreak cannot tell whether it was recorded. Check `/incident timeline` (or `/incident list` for a declaration) before you repeat it; repeating a recorded command adds it twice.',
      options,
    );
  }
}

/** Configuration is invalid; `problems` lists every one of them. */
export class ConfigError extends AppError {
  readonly code = 'config_invalid';
  constructor(readonly problems: readonly string[]) {
    super(`Firebreak cannot start. Fix these settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** What went wrong with a cluster call, as a stable code. */
export type ClusterFailureCode =
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'invalid'
  | 'timeout'
  | 'unreachable'
  | 'refused'
  /** Status writes raced every attempt of a change: nothing was applied, and the approval still holds. */
  | 'raced'
  /** A change was sent and no clear answer came back: it may or may not have been applied. */
  | 'unknown';

/**
 * A cluster call failed; the message says in words an SRE can act on what happened and what to do
 * next. Messages hold no upstream body verbatim.
 */
export class ClusterFailure extends AppError {
  constructor(
    readonly code: ClusterFailureCode,
    message: string,
  ) {
    super(message);
  }
}

/** The spec moved on since the preview, so nothing was applied; `reason` says what changed. */
export class SpecChanged extends ClusterFailure {
  constructor(readonly reason: string) {
    super('conflict', `Nothing was applied: ${reason}. Review the new preview and approve again.`);
  }
}

/**
 * A database or Redis diagnostic (or a signal to a backend) failed; the message says what happened
 * and what to do next, and never holds a connection string.
 */
export class DiagnosticsFailure extends AppError {
  constructor(
    readonly code: 'not_configured' | 'unreachable' | 'timeout' | 'forbidden' | 'refused' | 'failed',
    message: string,
  ) {
    super(message);
  }
}

/** Short reference shown to users for unexpected errors, logged beside the error. */
export function errorReference(): string {
  return `ERR-${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
}

/**
 * Why a chat call failed, as the domain needs to know it. `ambiguous` means
 * the call may have taken effect anyway (the answer was lost on the way).
 */
export class ChatFailure extends AppError {
  constructor(
    readonly code: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
    readonly ambiguous = false,
  ) {
    super(`Slack: ${code}`);
  }
}
