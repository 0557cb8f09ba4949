/** Failures of a database or Redis, in words an SRE can act on; a connection string never reaches a message. */
import { DiagnosticsFailure } from '../errors.js';
import { connectionVariable } from '../runbook/data-audit.js';
import { untrusted } from '../runbook/text.js';

const NETWORK = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE/;

/** The error's code (a SQLSTATE, or a Node network code), if it has one. */
const codeOf = (err: unknown) => String((err as { code?: unknown })?.code ?? '');
const messageOf = (err: unknown) => untrusted(String((err as Error)?.message ?? err), 200);

/** What a network failure was: its code, `no answer` for a timeout, else the client's words. */
function detail(code: string, message: string): string {
  if (NETWORK.test(code)) return code;
  return /time(d ?)?out/i.test(message) ? 'no answer' : message;
}

/** No connection is configured for this name (the boot-time check makes this rare). */
export function notConfigured(kind: 'database' | 'redis', name: string): DiagnosticsFailure {
  return new DiagnosticsFailure(
    'not_configured',
    `Firebreak has no connection for ${kind} ${name}: set ${connectionVariable(kind, name)} (see the README) and restart. Nothing was run.`,
  );
}

/** Maps a `pg` error met while doing `what` on database `name` to a `DiagnosticsFailure`. */
export function databaseFailure(err: unknown, name: string, what: string, timeoutMs: number): DiagnosticsFailure {
  if (err instanceof DiagnosticsFailure) return err;
  const code = codeOf(err);
  const message = messageOf(err);
  const seconds = `${timeoutMs / 1000}s`;
  const env = connectionVariable('database', name);
  if (code === '57014' || /Query read timeout|query_timeout/i.test(message))
    return new DiagnosticsFailure(
      'timeout',
      `Database ${name} did not finish ${what} within ${seconds} (statement timeout); it may be overloaded. Nothing was changed; try again, or look at it directly.`,
    );
  if (
    NETWORK.test(code) ||
    /timeout exceeded when trying to connect|Connection terminated|connection error/i.test(message)
  )
    return new DiagnosticsFailure(
      'unreachable',
      `Database ${name} did not answer within ${seconds} (${detail(code, message)}) while ${what}. Nothing was run there; check that it is up and reachable from Firebreak, and the host in ${env}.`,
    );
  if (code === '28P01' || code === '28000')
    return new DiagnosticsFailure(
      'forbidden',
      `Database ${name} refused Firebreak's login (${message}). Check the user and password in ${env}.`,
    );
  if (code === '42501')
    return new DiagnosticsFailure(
      'forbidden',
      `Database ${name} refused ${what}: ${message}. Grant Firebreak's role pg_monitor (and pg_signal_backend for pg-terminate); see the README.`,
    );
  if (code === '3D000')
    return new DiagnosticsFailure('failed', `Database ${name}: ${message}. Check the database name in ${env}.`);
  return new DiagnosticsFailure('failed', `Database ${name} failed while ${what}: ${message}.`);
}

/** Maps an ioredis error met on Redis `name` to a `DiagnosticsFailure`. */
export function redisFailure(err: unknown, name: string, timeoutMs: number): DiagnosticsFailure {
  if (err instanceof DiagnosticsFailure) return err;
  const code = codeOf(err);
  const message = messageOf(err);
  const env = connectionVariable('redis', name);
  if (/NOAUTH|WRONGPASS|NOPERM/.test(message))
    return new DiagnosticsFailure(
      'forbidden',
      `Redis ${name} refused Firebreak (${message}). Check the user and password in ${env}; the user needs INFO, SLOWLOG GET and PING (see the README).`,
    );
  return new DiagnosticsFailure(
    NETWORK.test(code) || /timed? ?out/i.test(message) ? 'unreachable' : 'failed',
    `Redis ${name} did not answer within ${timeoutMs / 1000}s (${detail(code, message)}). Nothing was run there; check that it is up and reachable from Firebreak, and the host in ${env}.`,
  );
}
