/** The playground's slice of the configuration: whether `npm start` runs it, and where its Postgres and Redis are. */
import { LEVELS, readPlaybooks } from './config.js';
import { ConfigError } from './errors.js';
import { connectionVariable } from './runbook/data-audit.js';
import { dataReachOf } from './runbook/playbook.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Where the playground keeps its state, and the settings it gives the bot beside its own emulators'. */
export interface PlaygroundSettings {
  /** The page's port on 127.0.0.1 (PORT, else 3000). */
  readonly port: number;
  /** A database on the Postgres server to create the playground's own database from. */
  readonly adminUrl: string;
  /** The playground's own database (PLAYGROUND_DATABASE, else firebreak_playground), created on first start and kept. */
  readonly databaseUrl: string;
  readonly database: string;
  readonly redisUrl: string;
  readonly redisPrefix: string;
  readonly logLevel: string;
  /** The environment the bot starts with, before the emulators' addresses are added. */
  readonly botEnv: Readonly<Record<string, string>>;
}

const DATABASE = 'firebreak_playground';
const DEFAULT_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_REDIS = 'redis://127.0.0.1:6379';

/**
 * Whether `npm start` should run the playground: only when no Slack setting
 * is present at all (any `SLACK_*` variable makes it the real bot, which then
 * fails at boot on what is missing) and `FIREBREAK_PLAYGROUND` is not `off`
 * (the container image sets it so, and never falls back).
 */
export function wantsPlayground(env: Env): boolean {
  if (env.FIREBREAK_PLAYGROUND?.trim() === 'off') return false;
  return !Object.entries(env).some(([name, value]) => name.startsWith('SLACK_') && !!value?.trim());
}

/**
 * Reads the playground's settings: DATABASE_URL's server (else the local
 * Postgres) with a database of its own, REDIS_URL (else the local Redis) with
 * a key prefix of its own, and a diagnostics connection to that database and
 * Redis for every one the playbooks name, unless the environment gives one.
 * Throws a `ConfigError` listing every problem.
 */
export function readPlayground(env: Env): PlaygroundSettings {
  const problems: string[] = [];
  const portText = env.PORT?.trim() || '3000';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push(`PORT must be a port number (0-65535) for the playground's page, not "${portText}"`);
  const server = parseUrl(env.DATABASE_URL?.trim() || DEFAULT_POSTGRES, /^postgres(ql)?:$/);
  if (!server) problems.push('DATABASE_URL must be a URL such as postgres://postgres@127.0.0.1:5432/postgres');
  const redisUrl = env.REDIS_URL?.trim() || DEFAULT_REDIS;
  if (!parseUrl(redisUrl, /^rediss?:$/)) problems.push('REDIS_URL must be a URL such as redis://127.0.0.1:6379');
  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LEVELS.join(', ')}`);
  const playbooks = readPlaybooks(env.PLAYBOOKS_DIR?.trim() || 'playbooks', problems);
  const database = env.PLAYGROUND_DATABASE?.trim() || DATABASE;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database))
    problems.push(`PLAYGROUND_DATABASE must be a database name of lowercase letters, digits and _, not "${database}"`);
  const redisPrefix = env.REDIS_PREFIX?.trim() || 'firebreak-playground';
  if (redisPrefix.includes(':')) problems.push('REDIS_PREFIX may not contain ":"');
  if (problems.length || !server) throw new ConfigError(problems);

  const databaseUrl = withDatabase(server, database);
  const adminUrl = withDatabase(server, server.pathname.length > 1 ? server.pathname.slice(1) : 'postgres');
  const diagnostics: Record<string, string> = {};
  for (const pb of playbooks.values())
    for (const reach of dataReachOf(pb))
      diagnostics[connectionVariable(reach.kind, reach.name)] = reach.kind === 'database' ? databaseUrl : redisUrl;
  const given = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  return {
    port,
    adminUrl,
    databaseUrl,
    database,
    redisUrl,
    redisPrefix,
    logLevel,
    botEnv: {
      ...diagnostics,
      ...given,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: redisPrefix,
    },
  };
}

function parseUrl(text: string, protocol: RegExp): URL | undefined {
  try {
    const url = new URL(text);
    return protocol.test(url.protocol) ? url : undefined;
  } catch {
    return undefined;
  }
}

function withDatabase(server: URL, database: string): string {
  const url = new URL(server.href);
  url.pathname = `/${database}`;
  return url.href;
}
