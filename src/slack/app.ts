import type { IncomingMessage, ServerResponse } from 'node:http';
import bolt, { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Alerts } from '../alerts/service.js';
import type { Config } from '../config.js';
import type { Paging } from '../incident/paging.js';
import type { Policy } from '../incident/policy.js';
import type { Directory } from '../incident/ports.js';
import type { Postmortems } from '../incident/postmortem.js';
import type { RecordService } from '../incident/record-service.js';
import type { Scribe } from '../incident/scribe.js';
import type { IncidentService } from '../incident/service.js';
import type { Logger } from '../log.js';
import type { Runbooks } from '../runbook/service.js';
import { settledWithin } from '../wait.js';
import { registerAlertInteractions } from './alert-interactions.js';
import { registerCommands } from './commands.js';
import { installErrorFunnel } from './error-funnel.js';
import { registerEvents } from './events.js';
import { registerInteractions } from './interactions.js';
import { createLimiter, type Limit } from './limiter.js';
import { plainChatText } from './names.js';
import { pacedFetch } from './paced-fetch.js';
import { type Pacer, unpaced } from './pacer.js';
import { registerPages } from './pages.js';
import { registerPagingInteractions } from './paging-interactions.js';
import { registerReminderInteractions } from './reminder-interactions.js';
import { guardSlackRequests } from './request-guard.js';

const { App, HTTPReceiver } = bolt;

/** Commands and events worked on at once after their acks; the rest queue in order. */
const WORK_CONCURRENCY = 4;

export interface SlackAppDeps {
  readonly service: IncidentService;
  readonly record: RecordService;
  readonly postmortems: Postmortems;
  readonly directory: Directory;
  readonly scribe: Scribe;
  readonly runbooks: Runbooks;
  readonly paging: Paging;
  readonly alerts: Alerts;
  readonly observe?: (verb: string, seconds: number) => void;
  readonly policy: Policy;
  /** Paces every Web API call, Bolt's own included. */
  readonly pacer?: Pacer;
  readonly log: Logger;
  /** Plain Node routes (health, metrics) served beside the Slack endpoint. */
  readonly routes: readonly {
    path: string;
    method: string;
    handler: (req: IncomingMessage, res: ServerResponse) => void;
  }[];
}

/** Bolt's logger interface on pino. */
function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.WARN;
  const text = (msg: unknown[]) =>
    msg.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: (...msg) => log.debug({ source: 'bolt' }, text(msg)),
    info: (...msg) => log.info({ source: 'bolt' }, text(msg)),
    warn: (...msg) => log.warn({ source: 'bolt' }, text(msg)),
    error: (...msg) => log.error({ source: 'bolt' }, text(msg)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

/** Bolt's HTTP receiver with `guardSlackRequests` in front of it. */
function guardedReceiver(
  config: Config['slack'] & { port: number },
  customRoutes: SlackAppDeps['routes'][number][],
  logger: BoltLogger,
  log: Logger,
) {
  const receiver = new HTTPReceiver({
    signingSecret: config.signingSecret,
    port: config.port,
    customRoutes,
    logger,
    logLevel: LogLevel.WARN,
  });
  receiver.requestListener = guardSlackRequests(receiver.requestListener, {
    signingSecret: config.signingSecret,
    log,
  });
  return receiver;
}

/**
 * Web API client settings: no hidden 30-minute retries (the effect outbox
 * retries instead), and every call paced by `pacer`, whose fetch applies the
 * 10-second request timeout once the call is let through.
 */
export function clientOptions(apiUrl: string | undefined, pacer: Pacer = unpaced()) {
  return {
    ...(apiUrl && { slackApiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/` }),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    // Every failure reaches the caller as a ChatFailure and is logged there; the client need not print it too.
    logLevel: LogLevel.ERROR,
    timeout: 0,
    // Calls waiting for the pacer hold a place in the client's queue; it must never be the thing that waits.
    maxRequestConcurrency: 10_000,
    fetch: pacedFetch(pacer, { timeoutMs: 10_000 }),
  };
}

/**
 * The Bolt app: HTTP mode on `port` (POST /slack/events), or Socket Mode when
 * an app token is set. Health routes are served on the same port either way.
 */
export function createSlackApp(config: Config['slack'] & { port: number }, deps: SlackAppDeps) {
  const { service, policy, log } = deps;
  const pacer = deps.pacer ?? unpaced();
  const logger = boltLogger(log);
  const customRoutes = deps.routes.map((r) => ({ ...r }));
  const app = new App({
    token: config.botToken,
    ...(config.botId && { botId: config.botId }),
    ...(config.botUserId && { botUserId: config.botUserId }),
    ...(config.appToken
      ? {
          signingSecret: config.signingSecret,
          socketMode: true,
          appToken: config.appToken,
          installerOptions: { port: config.port },
          customRoutes,
        }
      : { receiver: guardedReceiver(config, customRoutes, logger, log) }),
    logger,
    logLevel: LogLevel.WARN,
    clientOptions: clientOptions(config.apiUrl, pacer),
    extendedErrorHandler: true,
  });

  const inflight = new Set<Promise<unknown>>();
  app.use(async ({ next }) => {
    const work = next();
    inflight.add(work);
    try {
      await work;
    } finally {
      inflight.delete(work);
    }
  });

  const limiter = createLimiter(WORK_CONCURRENCY);
  // Work that has to wait for Slack's rate limits gives its place up, so the next command is recorded meanwhile.
  const limit: Limit = (work) => limiter((release) => pacer.whileWaiting(release, () => work(release)));
  registerCommands(app, {
    service,
    record: deps.record,
    postmortems: deps.postmortems,
    directory: deps.directory,
    runbooks: deps.runbooks,
    paging: deps.paging,
    policy,
    log,
    limit,
    ...(deps.observe && { observe: deps.observe }),
  });
  const plain = (text: string) => plainChatText(text, (id) => deps.directory.displayName(id));
  registerEvents(app, { scribe: deps.scribe, log, limit, plain });

  registerInteractions(app, { service, runbooks: deps.runbooks, policy, log });
  registerReminderInteractions(app, { service, log });
  registerPages(app, { service, record: deps.record, policy, log });
  registerPagingInteractions(app, { paging: deps.paging, log });
  registerAlertInteractions(app, { alerts: deps.alerts, policy, log });

  installErrorFunnel(app, { log, fetch: clientOptions(config.apiUrl, pacer).fetch });

  return {
    app,
    /**
     * Waits (up to `ms`) until no request is being handled, so a graceful stop finishes them, including
     * any that arrived on a connection still open while it waited.
     */
    async drain(ms: number): Promise<void> {
      const until = Date.now() + ms;
      while (inflight.size && Date.now() < until)
        await settledWithin(Promise.allSettled([...inflight]), until - Date.now());
    },
  };
}
