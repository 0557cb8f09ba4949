/** The diagnostics slice of the configuration: a connection per logical database and Redis name, from the environment only. */
import { parseDuration } from './incident/duration.js';
import { connectionVariable } from './runbook/data-audit.js';
import { dataReachOf, type Playbook } from './runbook/playbook.js';

/** The connections of the databases and caches playbooks name, and how long any of them may take to answer. */
export interface DiagnosticsConfig {
  /** Logical name (`adaptive-learning`) → Postgres URL, from `DIAG_DATABASE_<NAME>_URL`. */
  readonly databases: ReadonlyMap<string, string>;
  /** Logical name → Redis URL, from `DIAG_REDIS_<NAME>_URL`. */
  readonly redis: ReadonlyMap<string, string>;
  /** Connect and statement timeout of every diagnostic call. */
  readonly timeoutMs: number;
  /**
   * One line per connection a playbook needs and the environment lacks, naming the variable: logged at
   * boot. The bot still starts; those playbook steps answer that their target is not configured.
   */
  readonly missing: readonly string[];
}

type Env = Readonly<Record<string, string | undefined>>;

const VARIABLE = /^DIAG_(DATABASE|REDIS)_(\w+)_URL$/;
const SCHEMES = { database: /^postgres(ql)?:\/\//, redis: /^rediss?:\/\// };
const EXAMPLES = {
  database:
    'postgres://firebreak_diag:PASSWORD@db.example:5432/app (a role with pg_monitor, and pg_signal_backend for pg-terminate)',
  redis: 'redis://firebreak-diag:PASSWORD@cache.example:6379 (a user allowed INFO, SLOWLOG GET and PING only)',
};

/**
 * Reads `DIAG_DATABASE_<NAME>_URL`, `DIAG_REDIS_<NAME>_URL` and `DIAG_TIMEOUT`, pushing every problem
 * to `problems`. A database or Redis a playbook names without a connection is not a problem (one
 * unreachable diagnostic must not keep the incident bot down) but a line in `missing`.
 * Only these variables make connections: `DATABASE_URL` and `REDIS_URL` (the bot's own) never do.
 */
export function readDiagnostics(env: Env, playbooks: Iterable<Playbook>, problems: string[]): DiagnosticsConfig {
  const found = { database: new Map<string, string>(), redis: new Map<string, string>() };
  for (const [variable, raw] of Object.entries(env)) {
    const m = VARIABLE.exec(variable);
    const value = raw?.trim();
    if (!m || !value) continue;
    const kind = m[1] === 'DATABASE' ? 'database' : 'redis';
    if (!/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(m[2]!))
      problems.push(`${variable}: "${m[2]}" is not a name: use capitals, digits and single underscores`);
    else if (!SCHEMES[kind].test(value)) problems.push(`${variable} must be a URL such as ${EXAMPLES[kind]}`);
    else found[kind].set(m[2]!.toLowerCase().replace(/_/g, '-'), value);
  }
  // One line per missing connection, naming every playbook step that needs it.
  const missing = new Map<string, { kind: 'database' | 'redis'; name: string; steps: string[] }>();
  for (const pb of playbooks)
    for (const reach of dataReachOf(pb)) {
      if (found[reach.kind].has(reach.name)) continue;
      const variable = connectionVariable(reach.kind, reach.name);
      const entry = missing.get(variable) ?? { kind: reach.kind, name: reach.name, steps: [] };
      entry.steps.push(`${pb.source} steps.${reach.step}`);
      missing.set(variable, entry);
    }
  const unset = [...missing].map(
    ([variable, m]) =>
      `${variable} is not set, and ${m.kind} "${m.name}" is named by playbook ${m.steps.join(', ')}: those steps will answer that it is not configured until you set it to ${EXAMPLES[m.kind]}, or take ${m.name} out of those playbooks`,
  );
  const timeoutText = env.DIAG_TIMEOUT?.trim() || '5s';
  const timeoutMs = parseDuration(timeoutText) ?? 0;
  if (!timeoutMs || timeoutMs > 30_000)
    problems.push(`DIAG_TIMEOUT must be a duration from 1s to 30s, such as 5s, not "${timeoutText}"`);
  return { databases: found.database, redis: found.redis, timeoutMs, missing: unset };
}
