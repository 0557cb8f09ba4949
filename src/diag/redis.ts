/** The `RedisDiagnostics` role on ioredis: INFO and SLOWLOG GET on a connection made for the call and closed after it. */
import { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { RedisView, SlowlogEntry } from '../runbook/database-views.js';
import type { RedisDiagnostics } from '../runbook/diag-ports.js';
import { notConfigured, redisFailure } from './errors.js';

/** INFO's `key:value` lines as a record (section headers and blank lines dropped). */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

/** SLOWLOG GET's reply: `[id, unix time, microseconds, [args…], client, client name]` per entry. */
export function parseSlowlog(reply: unknown): SlowlogEntry[] {
  if (!Array.isArray(reply)) return [];
  return reply.map((e: unknown[]) => ({
    id: Number(e[0]),
    at: Number(e[1]),
    micros: Number(e[2]),
    args: Array.isArray(e[3]) ? e[3].map(String) : [],
    client: String(e[4] ?? ''),
    clientName: String(e[5] ?? ''),
  }));
}

/**
 * `RedisDiagnostics` for the caches in `urls` (logical name → URL). Each call opens one connection
 * (no retries, no offline queue, short timeouts), asks INFO and SLOWLOG GET, and closes it: nothing
 * here writes, flushes or resets, and no idle connection is left on a production Redis.
 */
export function createRedisDiagnostics(
  urls: ReadonlyMap<string, string>,
  options: { readonly timeoutMs: number; readonly log: Logger },
): RedisDiagnostics {
  const { timeoutMs, log } = options;
  return {
    async info(name, entries): Promise<RedisView> {
      const url = urls.get(name);
      if (!url) throw notConfigured('redis', name);
      const client = new Redis(url, {
        lazyConnect: true,
        connectTimeout: timeoutMs,
        commandTimeout: timeoutMs,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        enableOfflineQueue: false,
        disableClientInfo: true,
        // INFO is asked for anyway; the ready check would only ask it twice.
        enableReadyCheck: false,
      });
      // A refused login closes the connection: the command then only says so, and the event says why.
      let cause: Error | undefined;
      client.on('error', (err: Error) => {
        cause = err;
        log.debug({ err: { message: err.message }, redis: name }, 'redis diagnostics error');
      });
      try {
        await client.connect();
        const [info, slowlog] = await Promise.all([client.info(), client.call('SLOWLOG', 'GET', String(entries))]);
        return { info: parseInfo(info), slowlog: parseSlowlog(slowlog) };
      } catch (err) {
        throw redisFailure(cause ?? err, name, timeoutMs);
      } finally {
        client.disconnect();
      }
    },
  };
}
