import type { IncomingMessage, ServerResponse } from 'node:http';
import bolt, { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Config } from '../config.js';
import type { Policy } from '../incident/policy.js';
import type { Directory } from '../incident/ports.js';
import type { Postmortems } from '../incident/postmortem.js';
import type { RecordService } from '../incident/record.js';
import type { Scribe } from '../incident/scribe.js';
import type { IncidentService } from '../incident/service.js';
import type { Logger } from '../log.js';
import type { Runbooks } from '../runbook/service.js';
import { registerCommands } from './commands.js';
import { registerEvents } from './events.js';
import { registerInteractions } from './interactions.js';
import { createLimiter } from './limiter.js';
import { registerPages } from './pages.js';

const { App } = bolt;

/** Commands and events worked on at once after their acks; the rest queue in order. */
const WORK_CONCURRENCY = 4;

export interface SlackAppDeps {
  readonly service: IncidentService;
  readonly record: RecordService;
  readonly postmortems: Postmortems;
  readonly directory: Directory;
  readonly scribe: Scribe;
  readonly runbooks: Runbooks;
  readonly observe?: (verb: string, seconds: number) => void;
  readonly policy: Policy;
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

/** Web API client settings: no hidden 30-minute retries; the effect outbox retries instead. */
export function clientOptions(apiUrl: string | undefined) {
  return {
    ...(apiUrl && { slackApiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/` }),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
  };
}

/**
 * The Bolt app: HTTP mode on `port` (POST /slack/events), or Socket Mode when
 * an app token is set. Health routes are served on the same port either way.
 */
export function createSlackApp(config: Config['slack'] & { port: number }, deps: SlackAppDeps) {
  const { service, policy, log } = deps;
  const app = new App({
    token: config.botToken,
    signingSecret: config.signingSecret,
    ...(config.botId && { botId: config.botId }),
    ...(config.botUserId && { botUserId: config.botUserId }),
    ...(config.appToken
      ? { socketMode: true, appToken: config.appToken, installerOptions: { port: config.port } }
      : { port: config.port }),
    customRoutes: deps.routes.map((r) => ({ ...r })),
    logger: boltLogger(log),
    logLevel: LogLevel.WARN,
    clientOptions: clientOptions(config.apiUrl),
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

  const limit = createLimiter(WORK_CONCURRENCY);
  registerCommands(app, {
    service,
    record: deps.record,
    postmortems: deps.postmortems,
    directory: deps.directory,
    runbooks: deps.runbooks,
    policy,
    log,
    limit,
    ...(deps.observe && { observe: deps.observe }),
  });
  registerEvents(app, { scribe: deps.scribe, log, limit });

  registerInteractions(app, { service, runbooks: deps.runbooks, policy, log });
  registerPages(app, { service, record: deps.record, policy, log });

  app.error(async (err) => {
    log.error({ err }, 'unhandled Slack listener error');
  });

  return {
    app,
    /**
     * Waits (up to `ms`) until no request is being handled, so a graceful stop finishes them, including
     * any that arrived on a connection still open while it waited.
     */
    async drain(ms: number): Promise<void> {
      const until = Date.now() + ms;
      while (inflight.size && Date.now() < until)
        await Promise.race([
          Promise.allSettled([...inflight]),
          new Promise((r) => setTimeout(r, until - Date.now()).unref()),
        ]);
    },
  };
}
