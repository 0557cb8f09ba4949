import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import bolt from '@slack/bolt';
import { Redis } from 'ioredis';
import { createLogger } from '../src/log.js';
import { BOT_ID, BOT_USER } from '../src/playground/slack/workspace.js';
import { createPool } from '../src/postgres/pool.js';
import { createTestDatabase, REDIS_URL, redisPrefix } from '../test/support/db.js';
import { botEnv } from '../test/support/harness.js';
import { BotProcess } from '../test/support/processes.js';
import { SIGNING_SECRET } from '../test/support/signed.js';

/** The value below which `p`% of `values` fall (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Runs a bench helper script as its own process; its first line of output is JSON describing it. */
export async function helperProcess<T>(script: string, args: readonly string[] = []): Promise<T & { stop(): void }> {
  const child = spawn(process.execPath, [new URL(script, import.meta.url).pathname, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  return { ...(JSON.parse(line) as T), stop: () => child.kill('SIGTERM') };
}

/** The bot's Slack settings for the fake Slack of `fakeSlackProcess`. */
export function slackEnv(slack: { url: string; token: string }): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: slack.token,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: `${slack.url}/api/`,
    SLACK_BOT_ID: BOT_ID,
    SLACK_BOT_USER_ID: BOT_USER,
  };
}

/** The fake Slack in a child process: the bot under test must not pay for the fake's schema checks. */
export const fakeSlackProcess = (options: { limits?: boolean } = {}) =>
  helperProcess<{ url: string; token: string }>('./fake-slack-process.js', options.limits ? ['--limits'] : []);

/** Resident set size and its peak of a process, in MB, from /proc. */
export function rssMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** The floor: a bare Bolt app with the same signing secret whose listeners only ack. */
export async function bareBolt(
  register: (app: InstanceType<typeof bolt.App>) => void,
): Promise<{ url: string; stop(): Promise<void> }> {
  const app = new bolt.App({
    token: 'xoxb-bench',
    signingSecret: SIGNING_SECRET,
    botId: 'B0BENCH0001',
    botUserId: 'U0BENCH0001',
    tokenVerificationEnabled: false,
    logLevel: bolt.LogLevel.ERROR,
  });
  register(app);
  const server = (await app.start(0)) as Server;
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => app.stop().then(() => undefined),
  };
}

/** Deletes a bench's Redis keys, so a run leaves nothing behind on the shared server. */
export async function dropRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  redis.on('error', () => undefined);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * A bot process in production settings against a fake Slack process (with
 * Slack's rate limits when asked), on a database and key prefix of its own;
 * `stop` removes all of it.
 */
export async function startBenchBot(options: { limits?: boolean; env?: Record<string, string> } = {}) {
  const slack = await fakeSlackProcess(options);
  const db = await createTestDatabase();
  const prefix = redisPrefix();
  const env = botEnv({ token: slack.token, apiUrl: `${slack.url}/api/` }, db.url, {
    REDIS_PREFIX: prefix,
    LOG_LEVEL: 'error',
    ...options.env,
  });
  const bot = await new BotProcess(env).start();
  const sql = createPool(db.url, createLogger({ level: 'silent' }), { max: 2 });
  return {
    slack,
    bot,
    sql,
    async stop(): Promise<void> {
      await bot.stop();
      await sql.end();
      slack.stop();
      await db.drop();
      await dropRedisPrefix(REDIS_URL, prefix);
    },
  };
}
