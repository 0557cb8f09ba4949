import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DiagnosticsConfig, readDiagnostics } from './config-diag.js';
import { type PagerDutyConfig, readIntegrations } from './config-integrations.js';
import { ConfigError } from './errors.js';
import { parseDuration } from './incident/duration.js';
import { DEFAULT_POLICY, type Policy, parsePolicy, withoutPaging } from './incident/policy.js';
import { loadPlaybooks, type Playbook } from './runbook/playbook.js';
import { SourceError } from './yaml-source.js';

/** Everything the bot is configured with; frozen, validated once at boot. */
export interface Config {
  readonly slack: {
    readonly botToken: string;
    readonly signingSecret: string;
    readonly appToken: string | undefined;
    readonly apiUrl: string | undefined;
    readonly incidentsChannel: string;
    readonly botId: string | undefined;
    readonly botUserId: string | undefined;
    /** `slack`: pace Web API calls to Slack's published limits; `off`: for a local Slack emulator that has none. */
    readonly pacing: 'slack' | 'off';
  };
  readonly http: {
    readonly port: number;
    /** The address the Slack endpoint listens on; undefined: every interface. */
    readonly host: string | undefined;
    /** Serve GET /metrics on this port alone (not beside the Slack endpoint); undefined keeps it on `port`. */
    readonly metricsPort: number | undefined;
    /** When set, GET /metrics answers only `Authorization: Bearer <token>`. */
    readonly metricsToken: string | undefined;
  };
  readonly databaseUrl: string;
  /** How long a claimed side effect is held before another replica may take it over. */
  readonly effectLeaseMs: number;
  readonly redis: { readonly url: string; readonly prefix: string; readonly sweepEveryMs: number };
  readonly policy: Policy;
  /** Undefined without PagerDuty: everything else works, and paging says it is not set up. */
  readonly pagerduty: PagerDutyConfig | undefined;
  readonly alertmanager: { readonly token: string | undefined };
  readonly runbooks: {
    readonly playbooks: ReadonlyMap<string, Playbook>;
    /** KUBECONFIG, or undefined to use the in-cluster service account. */
    readonly kubeconfig: string | undefined;
    readonly approvalTtlMs: number;
    readonly cooldownMs: number;
  };
  /** The databases and caches playbooks name (`DIAG_DATABASE_<NAME>_URL`, `DIAG_REDIS_<NAME>_URL`). */
  readonly diagnostics: DiagnosticsConfig;
  readonly logLevel: string;
  /** Values that must never reach a log line. */
  readonly secrets: readonly string[];
}

type Env = Readonly<Record<string, string | undefined>>;

/** pino's levels, as LOG_LEVEL names them. */
export const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Reads and validates the environment. Every problem is collected and thrown
 * together as one `ConfigError`, so a bad deploy shows all of them at once.
 */
export function loadConfig(
  env: Env,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
  listDir: (path: string) => string[] = (p) => readdirSync(p),
): Config {
  const problems: string[] = [];
  const required = (name: string, hint: string): string => {
    const value = env[name]?.trim();
    if (!value) problems.push(`${name} is not set: ${hint}`);
    return value ?? '';
  };
  const optional = (name: string): string | undefined => env[name]?.trim() || undefined;

  const botToken = required(
    'SLACK_BOT_TOKEN',
    'copy the Bot User OAuth Token (xoxb-…) from the Slack app’s OAuth & Permissions page',
  );
  if (botToken && !botToken.startsWith('xoxb-'))
    problems.push('SLACK_BOT_TOKEN must be a bot token starting with xoxb-');
  const signingSecret = required(
    'SLACK_SIGNING_SECRET',
    'copy the Signing Secret from the Slack app’s Basic Information page',
  );
  const appToken = optional('SLACK_APP_TOKEN');
  if (appToken && !appToken.startsWith('xapp-'))
    problems.push('SLACK_APP_TOKEN must be an app-level token starting with xapp- (or unset it to use HTTP mode)');
  const apiUrl = optional('SLACK_API_URL');
  if (apiUrl && !isUrl(apiUrl)) problems.push(`SLACK_API_URL is not a URL: use the form https://slack.com/api/`);

  const pacing = optional('SLACK_PACING') ?? 'slack';
  if (pacing !== 'slack' && pacing !== 'off')
    problems.push(
      `SLACK_PACING must be "slack" (Slack's own rate limits) or "off" (a local emulator), not "${pacing}"`,
    );

  const portText = optional('PORT') ?? '3000';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push(`PORT must be a port number (0-65535), not "${portText}"`);

  const metricsPortText = optional('METRICS_PORT');
  const metricsPort = metricsPortText === undefined ? undefined : Number(metricsPortText);
  if (metricsPort !== undefined && (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535))
    problems.push(`METRICS_PORT must be a port number (0-65535), not "${metricsPortText}"`);
  else if (metricsPort !== undefined && metricsPort !== 0 && metricsPort === port)
    problems.push('METRICS_PORT must differ from PORT (unset it to serve /metrics beside the Slack endpoint)');
  const metricsToken = optional('METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16)
    problems.push('METRICS_TOKEN must be at least 16 characters: generate one with `openssl rand -hex 24`');

  const databaseUrl = required(
    'DATABASE_URL',
    'give a Postgres URL such as postgres://firebreak@127.0.0.1:5432/firebreak',
  );
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl))
    problems.push('DATABASE_URL must start with postgres:// or postgresql://');
  const redisUrl = required('REDIS_URL', 'give a Redis URL such as redis://127.0.0.1:6379');
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) problems.push('REDIS_URL must start with redis:// or rediss://');
  const prefix = optional('REDIS_PREFIX') ?? 'firebreak';
  if (prefix.includes(':')) problems.push('REDIS_PREFIX may not contain ":"');

  const sweepText = optional('CLOCK_SWEEP_EVERY') ?? '30s';
  const sweepEveryMs = parseDuration(sweepText) ?? 0;
  if (!sweepEveryMs) problems.push(`CLOCK_SWEEP_EVERY must be a duration such as 30s, not "${sweepText}"`);

  const leaseText = optional('EFFECT_LEASE') ?? '60s';
  const effectLeaseMs = parseDuration(leaseText) ?? 0;
  if (!effectLeaseMs) problems.push(`EFFECT_LEASE must be a duration such as 60s, not "${leaseText}"`);

  const logLevel = optional('LOG_LEVEL') ?? 'info';
  if (!LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LEVELS.join(', ')}`);

  const integrations = readIntegrations(optional, problems);
  // The built-in default pages P0 and P1 once PagerDuty is configured; a policy file must say what it means.
  let policy = integrations.reach.events ? DEFAULT_POLICY : withoutPaging(DEFAULT_POLICY);
  const policyPath = optional('INCIDENT_POLICY');
  if (policyPath) {
    try {
      policy = parsePolicy(readFile(policyPath), policyPath, integrations.reach);
    } catch (err) {
      if (err instanceof SourceError) problems.push(...err.problems.map((p) => `INCIDENT_POLICY ${p}`));
      else problems.push(`INCIDENT_POLICY: cannot read ${policyPath} (${(err as Error).message}); check the path`);
    }
  }

  const playbooks = readPlaybooks(optional('PLAYBOOKS_DIR') ?? 'playbooks', problems, readFile, listDir);
  const approvalTtlMs = parseDuration(optional('APPROVAL_TTL') ?? '10m') ?? 0;
  if (!approvalTtlMs) problems.push('APPROVAL_TTL must be a duration such as 10m');
  const cooldownMs = parseDuration(optional('RUNBOOK_COOLDOWN') ?? '10m') ?? 0;
  if (!cooldownMs) problems.push('RUNBOOK_COOLDOWN must be a duration such as 10m');
  const diagnostics = readDiagnostics(env, playbooks.values(), problems);

  if (problems.length) throw new ConfigError(problems);
  const diagUrls = [...diagnostics.databases.values(), ...diagnostics.redis.values()];
  const secrets = [
    botToken,
    signingSecret,
    appToken,
    metricsToken,
    ...[databaseUrl, redisUrl, ...diagUrls].map(passwordOf),
    ...integrations.secrets,
  ].filter((s): s is string => !!s);
  return deepFreeze({
    slack: {
      botToken,
      signingSecret,
      appToken,
      apiUrl,
      incidentsChannel: optional('INCIDENTS_CHANNEL') ?? 'incidents',
      botId: optional('SLACK_BOT_ID'),
      botUserId: optional('SLACK_BOT_USER_ID'),
      pacing: pacing === 'off' ? 'off' : 'slack',
    },
    http: { port, host: optional('HOST'), metricsPort, metricsToken },
    databaseUrl,
    effectLeaseMs,
    redis: { url: redisUrl, prefix, sweepEveryMs },
    policy,
    pagerduty: integrations.pagerduty,
    alertmanager: { token: integrations.alertmanagerToken },
    runbooks: { playbooks, kubeconfig: optional('KUBECONFIG'), approvalTtlMs, cooldownMs },
    diagnostics,
    logLevel,
    secrets,
  });
}

/** The reviewed playbooks in `dir` (`*.yaml`, `*.yml`), pushing what is wrong with them to `problems`. */
export function readPlaybooks(
  dir: string,
  problems: string[],
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
  listDir: (path: string) => string[] = (p) => readdirSync(p),
): ReadonlyMap<string, Playbook> {
  try {
    const files = listDir(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
    return loadPlaybooks(files.map((f) => ({ name: join(dir, f), text: readFile(join(dir, f)) })));
  } catch (err) {
    if (err instanceof SourceError) problems.push(...err.problems.map((p) => `playbook ${p}`));
    else
      problems.push(
        `PLAYBOOKS_DIR: cannot read ${dir} (${(err as Error).message}); point it at the reviewed playbooks`,
      );
    return new Map();
  }
}

function isUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Where the Slack endpoint listens: `PORT`, on `HOST` when one is set (else every interface). */
export function listenOn(config: Config): number | { port: number; host: string } {
  const { port, host } = config.http;
  return host ? { port, host } : port;
}
