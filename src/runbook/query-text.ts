/**
 * Statement and command text as responders see it: on one line, truncated, and by default with
 * its literal values masked, since a query may carry personal data (an email, a name, a token).
 */
import { untrusted } from './text.js';

/**
 * Every SQL token that can hold a value, in the order they must be tried: comments, dollar-quoted
 * bodies, quoted identifiers (kept: they are names), string literals of every prefix (`E''` with
 * backslash escapes), an unterminated string at the end (the text may be cut), then numbers that
 * are not part of a name or a `$1` parameter.
 */
const SQL_TOKENS = new RegExp(
  [
    /--[^\n]*/,
    /\/\*[\s\S]*?(?:\*\/|$)/,
    /\$([A-Za-z_][A-Za-z0-9_]*)?\$[\s\S]*?(?:\$\1\$|$)/,
    /"(?:[^"]|"")*"/,
    /[eE]'(?:[^'\\]|\\[\s\S]|'')*(?:'|$)/,
    /(?:[uU]&|[bBxXnN])?'(?:[^']|'')*(?:'|$)/,
    /(?<![\w$.])\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.])/,
  ]
    .map((r) => r.source)
    .join('|'),
  'g',
);

/** SQL with its string, number and dollar-quoted literals (and comments) replaced by `?`; names are kept. */
export function maskSql(sql: string): string {
  return sql.replace(SQL_TOKENS, (token) => {
    if (token.startsWith('"')) return token;
    if (token.startsWith('--') || token.startsWith('/*')) return '/*…*/';
    return '?';
  });
}

/** Digits, hex runs and UUIDs inside a Redis key (`user:1234:cart` → `user:?:cart`): what identifies someone. */
const KEY_IDS = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]*\d[0-9a-f]*/gi;
/** Commands whose arguments are credentials: never shown, masked or not. */
const SECRET_COMMANDS = new Set(['AUTH', 'HELLO', 'MIGRATE', 'CONFIG', 'ACL']);

/** A Redis command line: the command; by default its first key with identifiers masked and every other argument `?`. */
export function maskRedisArgs(args: readonly string[], mask: boolean): string {
  const [command = '', key, ...rest] = args;
  const name = command.toUpperCase();
  if (key === undefined) return name;
  if (SECRET_COMMANDS.has(name))
    return `${name} ${args
      .slice(1)
      .map(() => '?')
      .join(' ')}`;
  if (!mask) return [name, key, ...rest].join(' ');
  return [name, key.replace(KEY_IDS, '?'), ...rest.map(() => '?')].join(' ');
}

/** Text on one line, clamped to `max` characters (`untrusted` removes control characters). */
export function excerpt(text: string, max: number): string {
  return untrusted(text.replace(/\s+/g, ' ').trim(), max);
}

/** How a step shows statements: masked or not, and how many characters of each. */
export interface QueryShape {
  readonly maskLiterals: boolean;
  readonly queryChars: number;
}

/** A statement as a step shows it. */
export function showQuery(sql: string, shape: QueryShape): string {
  // Masked before it is put on one line: a `--` comment ends at its line break.
  const raw = sql.slice(0, 4000);
  return excerpt(shape.maskLiterals ? maskSql(raw) : raw, shape.queryChars);
}
