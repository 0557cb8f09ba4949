/** The `Diagnostics` port: the databases and caches playbooks name, each reached only through its own configured URL. */
import type { Logger } from '../log.js';
import type { Diagnostics } from '../runbook/diag-ports.js';
import { createPgDiagnostics } from './postgres.js';
import { createRedisDiagnostics } from './redis.js';

/** The connections, by logical name, and their timeout (the config's `diagnostics` slice). */
export interface DiagnosticsSettings {
  readonly databases: ReadonlyMap<string, string>;
  readonly redis: ReadonlyMap<string, string>;
  readonly timeoutMs: number;
}

/** Postgres and Redis diagnostics; `close` ends the Postgres pools made so far. */
export function createDiagnostics(
  settings: DiagnosticsSettings,
  log: Logger,
): Diagnostics & { close(): Promise<void> } {
  const options = { timeoutMs: settings.timeoutMs, log };
  const databases = createPgDiagnostics(settings.databases, options);
  return {
    databases,
    redis: createRedisDiagnostics(settings.redis, options),
    close: databases.close,
  };
}
