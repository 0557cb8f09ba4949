/**
 * What the runbook domain needs from the databases and caches a playbook names by a logical name
 * (the connection of each comes from the bot's configuration, never from a playbook or chat). Every
 * method throws `DiagnosticsFailure` (from errors.ts) with a message an SRE can act on.
 */
import type { BackendKey, DatabaseSnapshot, RedisView, SignalResult, SlowQueries } from './database-views.js';

/** Read-only views of a PostgreSQL database, each read in a read-only transaction under a short statement timeout. */
export interface DatabaseDiagnostics {
  /** The database's backends and the server's connection figures. */
  snapshot(database: string): Promise<DatabaseSnapshot>;
  /** The top statements from `pg_stat_statements`, or why it cannot say. */
  slowQueries(database: string, limit: number): Promise<SlowQueries>;
}

/** Cancelling and terminating listed backends, each only while it is still the listed session and statement. */
export interface BackendSignals {
  /**
   * Sends `signal` to each listed backend whose pid, backend start, query start and state all still
   * match, checked and sent in one statement; never to the connection doing it, nor outside `database`.
   */
  signal(database: string, keys: readonly BackendKey[], signal: 'cancel' | 'terminate'): Promise<SignalResult[]>;
}

/** Read-only views of a Redis: nothing here writes, flushes or resets. */
export interface RedisDiagnostics {
  info(redis: string, slowlogEntries: number): Promise<RedisView>;
}

/** The databases and caches, as the run engine uses them. */
export interface Diagnostics {
  readonly databases: DatabaseDiagnostics & BackendSignals;
  readonly redis: RedisDiagnostics;
}
