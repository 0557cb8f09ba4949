import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

const REDACT_PATHS = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'botToken',
  '*.botToken',
  'appToken',
  '*.appToken',
  'signingSecret',
  '*.signingSecret',
  'databaseUrl',
  '*.databaseUrl',
  'redisUrl',
  '*.redisUrl',
];

/**
 * Structured JSON logger. Known secret keys are redacted by path, and every
 * secret value passed in is scrubbed from each line before it is written, so
 * a token that leaks into an error message still never reaches the log.
 */
export function createLogger(
  options: { level?: string; secrets?: readonly string[] } = {},
  destination?: DestinationStream,
): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 6);
  return pino(
    {
      level: options.level ?? 'info',
      base: { app: 'firebreak' },
      redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
      hooks: {
        streamWrite: (line) => scrub(line, secrets),
      },
    },
    destination ?? pino.destination({ sync: false }),
  );
}

function scrub(line: string, secrets: readonly string[]): string {
  let out = line;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('[Redacted]');
  return out;
}
