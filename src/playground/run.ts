import type { Config } from '../config.js';
import { type PlaygroundSettings, readPlayground } from '../config-playground.js';
import { ConfigError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { installProcessGuards } from '../process-guards.js';
import { exitOnSignals } from '../shutdown.js';
import { ServicesUnavailable } from './services.js';
import { startPlayground } from './start.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `npm start` with no Slack settings: reads the playground's settings from `env`, starts it with the bot
 * `startBot` makes, and drains on SIGTERM as the bot does. Bad settings, or Postgres or Redis not answering,
 * end the process with a message saying what to do (exit 78 or 69), not a stack trace.
 */
export async function runPlayground(
  env: Env,
  startBot: (
    config: Config,
    log: Logger,
  ) => Promise<{ readonly url: string; stop(budgetMs?: number): Promise<boolean> }>,
): Promise<void> {
  let settings: PlaygroundSettings;
  try {
    settings = readPlayground(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const log = createLogger({ level: settings.logLevel, secrets: [] });
  const starting = startPlayground(settings, (config) => startBot(config, log), log);
  installProcessGuards(log, async () => {
    await (await starting).stop(4_500);
  });
  exitOnSignals({ bot: starting, log });
  try {
    await starting;
  } catch (err) {
    if (!(err instanceof ServicesUnavailable || err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(err instanceof ConfigError ? 78 : 69);
  }
}
