/**
 * Typed errors with stable codes. A `UserError` is the user's to fix and its
 * message is shown to them as is; every message says what to do next.
 */
export abstract class AppError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad usage, not allowed, not found or conflict: shown to the user verbatim. */
export class UserError extends AppError {
  constructor(
    readonly code: 'usage' | 'not_allowed' | 'not_found' | 'conflict',
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

/** Configuration is invalid; `problems` lists every one of them. */
export class ConfigError extends AppError {
  readonly code = 'config_invalid';
  constructor(readonly problems: readonly string[]) {
    super(`Firebreak cannot start. Fix these settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Short reference shown to users for unexpected errors, logged beside the error. */
export function errorReference(): string {
  return `ERR-${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
}
