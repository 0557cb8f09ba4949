/** What the runbook domain sees of a PostgreSQL database and a Redis: plain views, built by the diagnostics adapter. */

/** One server process of the database, as `pg_stat_activity` shows it. Times are UTC ISO strings to the microsecond. */
export interface BackendView {
  readonly pid: number;
  /** The database it is connected to (null for processes of no database). */
  readonly database: string | null;
  readonly user: string | null;
  readonly application: string;
  /** The client's address, or `local` for a Unix socket; null for background processes. */
  readonly client: string | null;
  /** `client backend`, `walsender`, `autovacuum worker`, `background worker`… */
  readonly backendType: string;
  readonly state: string | null;
  /** `type:event`, e.g. `Lock:transactionid`, when it waits. */
  readonly waitEvent: string | null;
  readonly backendStart: string;
  readonly xactStart: string | null;
  readonly queryStart: string | null;
  readonly stateChange: string | null;
  /** The statement as the server has it (its first characters): shown only truncated and, by default, masked. */
  readonly query: string;
  readonly superuser: boolean;
  /** The connection this snapshot was read on. */
  readonly self: boolean;
  /** Backends holding a lock it waits for (`pg_blocking_pids`); empty unless it waits for a lock. */
  readonly blockedBy: readonly number[];
  /** Since when it waits for its lock (PostgreSQL 14+); null when unknown. */
  readonly waitingSince: string | null;
}

/** The backends of one database and the server's connection figures, read at one moment of the server's clock. */
export interface DatabaseSnapshot {
  /** The database's name on the server. */
  readonly database: string;
  /** The server's `now()`: durations are measured on its clock, never the bot's. */
  readonly now: string;
  readonly serverVersion: number;
  readonly connections: { readonly total: number; readonly max: number; readonly reserved: number };
  /** Every process connected to `database`. */
  readonly backends: readonly BackendView[];
}

/** One statement of `pg_stat_statements`, times in milliseconds. */
export interface StatementView {
  readonly calls: number;
  readonly meanMs: number;
  readonly totalMs: number;
  readonly rows: number;
  readonly query: string;
}

/** The top statements by mean and by total execution time, or why there are none. */
export type SlowQueries =
  | {
      readonly available: true;
      /** The extension's version and the columns it was read with. */
      readonly source: string;
      readonly byMean: readonly StatementView[];
      readonly byTotal: readonly StatementView[];
    }
  | { readonly available: false; readonly reason: string };

/** What identifies one statement of one session: a backend is signalled only while all of it still holds. */
export interface BackendKey {
  readonly pid: number;
  readonly backendStart: string;
  readonly queryStart: string | null;
  readonly state: string | null;
  readonly user: string | null;
  readonly application: string;
}

/** What the server said when asked to signal one listed backend. */
export interface SignalResult {
  readonly key: BackendKey;
  /** The process with that pid in the database now, if any (before the signal). */
  readonly found: Pick<BackendKey, 'backendStart' | 'queryStart' | 'state'> | null;
  /** True when the identity matched and the server accepted the signal. */
  readonly signalled: boolean;
  /** Why the server refused it (a superuser's session, a missing privilege). */
  readonly refused?: string;
}

/** A Redis server's figures a responder looks at first, read with INFO and SLOWLOG GET. */
export interface RedisView {
  /** INFO fields by name (clients, memory, stats and server sections). */
  readonly info: Readonly<Record<string, string>>;
  readonly slowlog: readonly SlowlogEntry[];
}

/** One SLOWLOG entry. */
export interface SlowlogEntry {
  readonly id: number;
  /** When it ran, seconds since the epoch. */
  readonly at: number;
  readonly micros: number;
  /** The command and its arguments, as Redis logged them (Redis itself shortens long ones). */
  readonly args: readonly string[];
  readonly client: string;
  readonly clientName: string;
}
