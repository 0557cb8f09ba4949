/** The read-only Redis step: clients, memory, evictions and the slowest recent commands, as plain lines. */
import type { RedisView } from './database-views.js';
import type { RedisDiagnostics } from './diag-ports.js';
import type { Step } from './playbook-schema.js';
import { maskRedisArgs } from './query-text.js';
import { age, bytes, millis, table } from './table.js';
import { untrusted } from './text.js';

type RedisRead = Extract<Step, { action: 'redis-info' }>;

const num = (info: RedisView['info'], key: string) => Number(info[key] ?? 0);
const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`;

function memory(info: RedisView['info']): string {
  const used = num(info, 'used_memory');
  const max = num(info, 'maxmemory');
  const limit = max ? `of maxmemory ${bytes(max)} (${percent(used, max)})` : '(no maxmemory set: nothing is evicted)';
  return `memory: ${bytes(used)} used ${limit}; peak ${bytes(num(info, 'used_memory_peak'))}; fragmentation ${info.mem_fragmentation_ratio ?? '?'}; policy ${info.maxmemory_policy ?? '?'}`;
}

/** Runs `redis-info` and returns what it found, as plain lines. */
export async function readRedis(redis: RedisDiagnostics, step: RedisRead): Promise<string[]> {
  const { info, slowlog } = await redis.info(step.redis, step.slowlog);
  const hits = num(info, 'keyspace_hits');
  const lookups = hits + num(info, 'keyspace_misses');
  const slowest = [...slowlog].sort((a, b) => b.micros - a.micros);
  return [
    untrusted(
      `redis ${info.redis_version ?? '?'}, ${info.role ?? 'role unknown'}, up ${age(num(info, 'uptime_in_seconds') * 1000)}`,
    ),
    `clients: ${num(info, 'connected_clients')} connected, ${num(info, 'blocked_clients')} blocked, at most ${info.maxclients ?? '?'}; ${num(info, 'rejected_connections')} connections rejected`,
    untrusted(memory(info)),
    `evictions: ${num(info, 'evicted_keys')} keys evicted, ${num(info, 'expired_keys')} expired; keyspace hits ${lookups ? `${percent(hits, lookups)} of ${lookups} lookups` : 'none yet'}`,
    `slowest recent commands (the latest ${slowlog.length} in SLOWLOG, slowest first):`,
    ...(slowest.length
      ? table(
          ['id', 'at (UTC)', 'took', 'client', 'command'],
          slowest.map((e) => [
            e.id,
            new Date(e.at * 1000).toISOString().slice(11, 19),
            millis(e.micros / 1000),
            [e.client, e.clientName].filter(Boolean).join(' '),
            maskRedisArgs(e.args, step.maskLiterals),
          ]),
        ).map((l) => `  ${l}`)
      : ['  (none)']),
  ];
}
