import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/incident/ports.js';
import { type Firebreak, type StartOptions, startFirebreak } from '../../src/main.js';
import { slashCommand } from '../../src/playground/slack/payloads.js';
import { BOT_ID, BOT_USER } from '../../src/playground/slack/workspace.js';
import { createTestDatabase, REDIS_URL, redisPrefix } from './db.js';
import { SHIPPED_DIAG_ENV } from './diag-env.js';
import { FakeSlack } from './fake-slack/server.js';
import { LogCapture } from './log-capture.js';
import { type PostResult, postSigned, SIGNING_SECRET } from './signed.js';

export { LogCapture };

export interface HarnessOptions {
  readonly env?: Record<string, string>;
  readonly clock?: Clock;
  readonly backoffMs?: StartOptions['backoffMs'];
  readonly slack?: FakeSlack;
  readonly databaseUrl?: string;
  /** Paces the bot's Slack calls to Slack's limits, run this much faster (off unless a test is about them). */
  readonly slackSpeedup?: number;
}

let counter = 0;

export interface CommandOptions {
  user?: string;
  channel?: string;
  triggerId?: string;
  timestamp?: number;
  signature?: string;
}

/** Posts `/incident <text>` to a bot as Slack does: form fields named as in the sample payload, signed. */
export async function sendCommand(
  botUrl: string,
  slack: FakeSlack,
  text: string,
  from: CommandOptions = {},
): Promise<PostResult & { triggerId: string; responseUrl: string }> {
  const n = ++counter;
  const triggerId = from.triggerId ?? slack.issueTrigger();
  const channelId = from.channel ?? slack.channelByName('general')!.id;
  const responsePath = `/respond/cmd${process.pid}-${n}`;
  const fields = slashCommand({
    command: '/incident',
    text,
    user: from.user ?? 'U0DECLARER',
    userName: 'dana',
    channel: channelId,
    channelName: slack.channels.get(channelId)?.name ?? 'unknown',
    responseUrl: `${slack.url}${responsePath}`,
    triggerId,
  });
  const body = new URLSearchParams(fields).toString();
  const result = await postSigned(`${botUrl}/slack/events`, body, 'application/x-www-form-urlencoded', {
    ...(from.timestamp && { timestamp: from.timestamp }),
    ...(from.signature && { signature: from.signature }),
  });
  return { ...result, triggerId, responseUrl: responsePath };
}

/** Waits for the ephemeral reply a bot sends to a command's response_url. */
export function replyOn(slack: FakeSlack, responseUrl: string, ms = 5000): Promise<string> {
  return waitFor(
    () => {
      const r = slack.responses.find((x) => x.url === responseUrl);
      return r && String(r.body.text ?? '') + JSON.stringify(r.body.blocks ?? '');
    },
    ms,
    `a reply on ${responseUrl}`,
  );
}

/** Polls until `check` returns a truthy value, or fails after `ms`. */
export async function waitFor<T>(check: () => T | Promise<T>, ms = 5000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The environment that points a bot at the fake Slack, a database and a Redis key prefix of its own. */
export function botEnv(
  slack: { readonly token: string; readonly apiUrl: string },
  databaseUrl: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: slack.token,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    SLACK_BOT_ID: BOT_ID,
    SLACK_BOT_USER_ID: BOT_USER,
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    REDIS_PREFIX: redisPrefix(),
    ...extra,
  };
}

/**
 * The real bot (Bolt over HTTP, real Postgres and Redis) wired to the fake
 * Slack, in a database and key prefix of its own.
 */
export async function startHarness(options: HarnessOptions = {}) {
  const slack = options.slack ?? (await new FakeSlack().start());
  const db = options.databaseUrl ? undefined : await createTestDatabase();
  const databaseUrl = options.databaseUrl ?? db!.url;
  const logs = new LogCapture();
  const config = loadConfig(
    botEnv(slack, databaseUrl, {
      PORT: '0',
      LOG_LEVEL: 'info',
      SLACK_PACING: options.slackSpeedup ? 'slack' : 'off',
      ...SHIPPED_DIAG_ENV,
      ...options.env,
    }),
  );
  const bot: Firebreak = await startFirebreak(config, {
    logDestination: logs,
    ...(options.clock && { clock: options.clock }),
    backoffMs: options.backoffMs ?? (() => 200),
    ...(options.slackSpeedup && { slackSpeedup: options.slackSpeedup }),
  });
  const sql = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  // Dropping the test database terminates idle connections; that must not crash the run.
  sql.on('error', () => undefined);

  /** Sends `/incident <text>` as a signed slash command; resolves with the ack. */
  const command = (text: string, from: CommandOptions = {}) => sendCommand(bot.url, slack, text, from);

  const reply = (responseUrl: string, ms = 5000) => replyOn(slack, responseUrl, ms);

  /** Sends an interactive payload (block_actions, view_submission) as Slack does: a form field holding JSON. */
  function interact(
    payload: Record<string, unknown>,
    opts: { headers?: Record<string, string> } = {},
  ): Promise<PostResult> {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return postSigned(`${bot.url}/slack/events`, body, 'application/x-www-form-urlencoded', opts);
  }

  /** Delivers an Events API envelope as Slack does: a signed JSON body (with retry headers on a redelivery). */
  function deliver(envelope: Record<string, unknown>, retry?: number): Promise<PostResult> {
    return postSigned(
      `${bot.url}/slack/events`,
      JSON.stringify(envelope),
      'application/json',
      retry ? { headers: { 'x-slack-retry-num': String(retry), 'x-slack-retry-reason': 'http_timeout' } } : {},
    );
  }

  return {
    slack,
    bot,
    logs,
    sql,
    command,
    reply,
    interact,
    deliver,
    config,
    async stop() {
      await bot.stop();
      await sql.end();
      if (!options.slack) await slack.stop();
      await db?.drop();
    },
  };
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;
