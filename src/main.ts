import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { DestinationStream } from 'pino';
import { type Config, listenOn, loadConfig } from './config.js';
import { wantsPlayground } from './config-playground.js';
import { ConfigError } from './errors.js';
import { healthRoutes } from './http/health.js';
import { createMetrics } from './http/metrics.js';
import { bearerOnly, serveRoutes } from './http/metrics-access.js';
import type { Clock } from './incident/ports.js';
import { createRetention } from './incident/retention.js';
import { createIncidentService } from './incident/service.js';
import { wireIntegrations, wirePaging } from './integrations.js';
import { createJobs } from './jobs/queue.js';
import { createLogger, type Logger } from './log.js';
import { runPlayground } from './playground/run.js';
import { createIncidentStore } from './postgres/incident-store.js';
import { migrate } from './postgres/migrate.js';
import { createPool } from './postgres/pool.js';
import { createRetentionStore } from './postgres/retention-store.js';
import { installProcessGuards } from './process-guards.js';
import { drainFirebreak, exitOnSignals } from './shutdown.js';
import { createSlackApp } from './slack/app.js';
import { wireIncidentWork } from './wire-incidents.js';
import { wireRecord } from './wire-record.js';
import { wireRunbooks } from './wire-runbooks.js';
import { wireSlackClient } from './wire-slack.js';

/** Seams the tests may set; production uses the defaults. */
export interface StartOptions {
  readonly clock?: Clock;
  readonly logDestination?: DestinationStream;
  readonly log?: Logger;
  readonly backoffMs?: (attempt: number) => number;
  /** Runs Slack's rate limits this much faster, to match a fake Slack whose clock does (with SLACK_PACING=slack). */
  readonly slackSpeedup?: number;
}

/** A running bot. */
export interface Firebreak {
  /** Base URL of the HTTP receiver (POST /slack/events, GET /healthz, /readyz). */
  readonly url: string;
  /** Base URL of the metrics server, when /metrics has a port of its own. */
  readonly metricsUrl: string | undefined;
  /**
   * Drains within `budgetMs` (10 s): /readyz turns 503 and the Slack receiver
   * closes, then the work already taken finishes, running jobs end, the pools
   * close. Resolves true when everything finished; what did not is leased and
   * another replica takes it over.
   */
  stop(budgetMs?: number): Promise<boolean>;
}

/**
 * The composition root: builds every adapter, hands each its slice of the
 * config, runs migrations, rebuilds pending work from Postgres and starts.
 */
export async function startFirebreak(config: Config, options: StartOptions = {}): Promise<Firebreak> {
  const log = options.log ?? createLogger({ level: config.logLevel, secrets: config.secrets }, options.logDestination);
  const clock = options.clock ?? { now: () => new Date() };
  const pool = createPool(config.databaseUrl, log);
  await migrate(pool);
  const store = createIncidentStore(pool);
  let observeQueueLag: ((seconds: number) => void) | undefined;
  const jobs = createJobs(
    { ...config.redis, retentionEveryMs: config.policy.retention.everyMs, onLag: (s) => observeQueueLag?.(s) },
    log,
  );

  const { pacer, web, botUserId, chat, names, directory } = wireSlackClient(config, options.slackSpeedup);
  const paging = wirePaging({ config, pool, store, web, chat, clock, log });

  const { effectRunner, reminders, open } = wireIncidentWork({
    config,
    pool,
    store,
    chat,
    jobs,
    clock,
    log,
    paging,
    backoffMs: options.backoffMs,
  });
  const { runbooks, diagnostics } = wireRunbooks({
    config,
    pool,
    store,
    web,
    names,
    jobs,
    clock,
    log,
    backoffMs: options.backoffMs,
  });
  const service = createIncidentService({
    store,
    open,
    effects: effectRunner,
    reminders,
    clock,
    policy: config.policy,
    observer: { changed: (incident) => runbooks.incidentChanged(incident) },
    pages: paging.rules,
  });
  const integrations = wireIntegrations({
    config,
    pool,
    store,
    web,
    chat,
    clock,
    log,
    paging,
    service,
    jobs,
    pacer,
    botUserId,
  });

  const { scribe, recordService, postmortems } = wireRecord({ config, pool, store, service, directory, clock, log });
  const metrics = createMetrics(
    { openBySeverity: () => open.countBySeverity(), stats: () => recordService.stats(30 * 86_400_000) },
    {
      onStatsError: (err) =>
        log.warn({ err }, 'could not recompute the 30-day incident metrics; serving the last ones'),
    },
  );
  observeQueueLag = metrics.observeQueueLag;
  const retention = createRetention({
    store: createRetentionStore(pool),
    jobs: jobs.jobRecords,
    clock,
    policy: config.policy.retention,
    log,
    onPurged: metrics.countDeleted,
  });

  let draining = false;
  const checks = { postgres: () => pool.query('SELECT 1'), redis: () => jobs.ping() };
  const metricsRoute = config.http.metricsToken ? bearerOnly(metrics.route, config.http.metricsToken) : metrics.route;
  const ownMetricsPort = config.http.metricsPort !== undefined;
  const routes = [
    ...healthRoutes(checks, () => draining),
    ...(ownMetricsPort ? [] : [metricsRoute]),
    ...integrations.routes,
  ];
  const { app, drain } = createSlackApp(
    { ...config.slack, port: config.http.port },
    {
      service,
      record: recordService,
      postmortems,
      directory,
      scribe,
      runbooks,
      paging: integrations.paging,
      alerts: integrations.alerts,
      policy: config.policy,
      log,
      routes,
      observe: metrics.observeCommand,
      pacer,
    },
  );

  await jobs.start({
    runEffects: (id) => effectRunner.run(id),
    updateDue: (id, dueMs) => reminders.fireUpdate(id, dueMs),
    escalationDue: (id, level, step) => reminders.fireEscalation(id, level, step),
    // Side by side: effects may wait minutes on Slack's rate limits, and lost clocks must not wait for them.
    sweep: async () => {
      const started = performance.now();
      await Promise.all([effectRunner.runAllDue(), reminders.sweep(), runbooks.sweep(), integrations.publisher.run()]);
      metrics.observeSweep((performance.now() - started) / 1000);
    },
    rebuild: () => Promise.all([reminders.rebuild(), runbooks.rebuild()]),
    retention: () => retention.run(),
    runActions: (runId) => runbooks.runActions(runId),
    expireRun: (runId) => runbooks.expire(runId),
    publishAlerts: () => integrations.publisher.run(),
  });
  const started = (await app.start(listenOn(config))) as unknown;
  const port = config.slack.appToken ? config.http.port : ((started as Server).address() as AddressInfo).port;
  const metricsServer = ownMetricsPort ? await serveRoutes(config.http.metricsPort!, [metricsRoute]) : undefined;
  await effectRunner
    .runAllDue()
    .catch((err: unknown) => log.warn({ err }, 'start-up sweep failed; the periodic sweep will retry'));
  await runbooks.recover().catch((err: unknown) => log.error({ err }, 'could not check for interrupted runbook runs'));
  await Promise.all([reminders.rebuild(), runbooks.rebuild()]).catch((err: unknown) =>
    log.warn({ err }, 'rebuilding clocks and run prompts failed; the periodic sweep fires them from Postgres'),
  );
  log.info({ port, mode: config.slack.appToken ? 'socket' : 'http' }, 'firebreak started');

  return {
    url: `http://127.0.0.1:${port}`,
    metricsUrl: metricsServer && `http://127.0.0.1:${metricsServer.port}`,
    async stop(budgetMs = 10_000) {
      draining = true;
      const clean = await drainFirebreak(
        {
          stopReceiver: () => Promise.all([app.stop(), metricsServer?.close()]),
          server: config.slack.appToken ? undefined : (started as Server),
          finishSlackWork: drain,
          // Slack calls still waiting their turn give up; their effects stay in the outbox for the next process.
          releaseWaitingSlackCalls: () => pacer.close(),
          stopWorker: () => jobs.stopWorker(),
          finishRunbookWork: (ms) => runbooks.idle(ms),
          closeQueue: () => jobs.close(),
          closePool: () => Promise.all([pool.end(), diagnostics.close()]),
        },
        budgetMs,
        log,
      );
      log.info({ clean }, clean ? 'firebreak stopped' : 'firebreak stopped, leaving unfinished work to other replicas');
      log.flush?.();
      return clean;
    },
  };
}

async function main(): Promise<void> {
  // No Slack settings at all: the playground (the container image sets FIREBREAK_PLAYGROUND=off and never gets here).
  if (wantsPlayground(process.env)) return runPlayground(process.env, (config, log) => startFirebreak(config, { log }));
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const log = createLogger({ level: config.logLevel, secrets: config.secrets });
  // Signals are handled from the first moment: one that comes while the bot starts drains it once it is up.
  const starting = startFirebreak(config, { log });
  installProcessGuards(log, async () => {
    await (await starting).stop(4_500);
  });
  exitOnSignals({ bot: starting, log });
  await starting;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`firebreak failed to start: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
