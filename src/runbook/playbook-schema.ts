/** The shape of a playbook file: its parameters, and every action a step may name with its fields. */
import { z } from 'zod';
import { durationMs, parseDuration } from '../incident/duration.js';

/** A value a parameter may take: no spaces, no template or shell syntax. */
const SAFE_VALUE = /^[A-Za-z0-9._:/@=+-]{1,253}$/;

const description = z.string().max(300).optional();
const paramSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('enum'),
    values: z.array(z.string().regex(SAFE_VALUE, 'is not a safe value (letters, digits and ._:/@=+- only)')).min(1),
    default: z.string().optional(),
    description,
  }),
  z.strictObject({
    type: z.literal('integer'),
    min: z.number().int(),
    max: z.number().int(),
    default: z.number().int().optional(),
    description,
  }),
  z.strictObject({
    type: z.literal('string'),
    pattern: z.string().min(1),
    default: z.string().optional(),
    description,
  }),
]);

const text = z.string().min(1).max(253);
const target = { namespace: text, deployment: text };

const DURATION_HINT = 'must be a duration such as 30s, 5m or 1h';
const TEMPLATED = /^[^{}]*\{\{\s*[a-zA-Z]\w*\s*\}\}[^{}]*$/;
/** A duration such as `30s`, `5m` or `1h`, or text with a `{{param}}` in it (parsed once the parameters are in). */
const duration = z.string().refine((s) => TEMPLATED.test(s) || parseDuration(s) !== undefined, DURATION_HINT);
/** A literal duration in a range, kept as written; the step parses it with `parseDuration`. */
const durationWithin = (minMs: number, maxMs: number, message: string) =>
  z.string().refine((s) => {
    const ms = parseDuration(s);
    return ms !== undefined && ms >= minMs && ms <= maxMs;
  }, message);
/** How statements are shown: truncated, and with their literals masked unless the playbook opts out. */
const queryChars = z.number().int().min(20).max(1000);
const queryShape = { maskLiterals: z.boolean().default(true), queryChars: queryChars.default(100) };
/** The states of `pg_stat_activity`. */
export const BACKEND_STATES = [
  'active',
  'idle',
  'idle in transaction',
  'idle in transaction (aborted)',
  'fastpath function call',
  'disabled',
] as const;
const state = z.enum(BACKEND_STATES);
/** Backends `pg-terminate` leaves alone unless the playbook names them here. */
export const PROTECTED_KINDS = ['superusers', 'replication', 'background-workers'] as const;

/** Every action a playbook may name: the read-only ones, then those that change the cluster. */
export const ACTIONS = {
  'get-deployment': z.strictObject({ ...target }),
  'list-pods': z.strictObject({ ...target }),
  'recent-events': z.strictObject({ ...target }),
  'pod-restarts': z.strictObject({ ...target }),
  'top-pods': z.strictObject({ ...target }),
  'hpa-status': z.strictObject({ ...target }),
  'warning-events': z.strictObject({ ...target }),
  'rollout-history': z.strictObject({ ...target }),
  'rollout-status': z.strictObject({
    ...target,
    timeout: durationWithin(1_000, Number.POSITIVE_INFINITY, 'must be a duration such as 5m').default('5m'),
  }),
  'pod-logs': z.strictObject({
    ...target,
    filter: z.string().max(100).optional(),
    tail: z.number().int().min(1).max(500).default(100),
  }),
  'rollout-restart': z.strictObject({ ...target }),
  scale: z.strictObject({ ...target, replicas: z.union([z.number().int(), text]) }),
  'rollout-undo': z.strictObject({ ...target, revision: z.union([z.number().int(), text]).optional() }),
  'set-image': z.strictObject({ ...target, container: text, image: text }),
  'set-env': z.strictObject({
    ...target,
    container: text.optional(),
    env: z.record(
      z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'is not an environment variable name'),
      z.union([text, z.number()]),
    ),
  }),
  'set-memory-limit': z.strictObject({ ...target, container: text.optional(), limit: text }),
  'patch-configmap': z.strictObject({ namespace: text, name: text, key: text, value: z.union([text, z.number()]) }),
  'pg-activity': z.strictObject({
    database: text,
    longerThan: duration.default('1m'),
    limit: z.number().int().min(1).max(50).default(15),
    ...queryShape,
  }),
  'pg-locks': z.strictObject({ database: text, limit: z.number().int().min(1).max(50).default(15), ...queryShape }),
  'pg-slow-queries': z.strictObject({
    database: text,
    limit: z.number().int().min(1).max(20).default(5),
    ...queryShape,
  }),
  'redis-info': z.strictObject({
    redis: text,
    slowlog: z.number().int().min(1).max(50).default(10),
    maskLiterals: z.boolean().default(true),
  }),
  'pg-terminate': z.strictObject({
    database: text,
    state: z.union([state, z.array(state).min(1)]).default('active'),
    olderThan: duration.optional(),
    user: text.optional(),
    application: text.optional(),
    queryPattern: z.string().min(1).max(200).optional(),
    mode: z.enum(['cancel-then-terminate', 'terminate']).default('cancel-then-terminate'),
    grace: durationWithin(1_000, 5 * 60_000, 'must be from 1s to 99s, or 1m to 5m').default('10s'),
    maxBackends: z.number().int().min(1).max(100).optional(),
    include: z.array(z.enum(PROTECTED_KINDS)).default([]),
    maskLiterals: z.boolean().default(true),
    queryChars: queryChars.default(60),
  }),
} as const;

export type ActionName = keyof typeof ACTIONS;
/** The actions that change the cluster: each is dry-run, previewed and approved before it applies. */
export const MUTATING: ReadonlySet<ActionName> = new Set([
  'rollout-restart',
  'scale',
  'rollout-undo',
  'set-image',
  'set-env',
  'set-memory-limit',
  'patch-configmap',
  'pg-terminate',
]);

/** What a step acts on: the cluster, a PostgreSQL database (`database:`) or a Redis (`redis:`). */
export type Reaches = 'cluster' | 'database' | 'redis';
const DATABASE_ACTIONS: ReadonlySet<string> = new Set(['pg-activity', 'pg-locks', 'pg-slow-queries', 'pg-terminate']);

/** The actions on a database or a Redis. */
export type DataAction = 'pg-activity' | 'pg-locks' | 'pg-slow-queries' | 'pg-terminate' | 'redis-info';
/** The actions on the cluster: the only ones that need Kubernetes RBAC. */
export type ClusterAction = Exclude<ActionName, DataAction>;

/** What an action acts on. */
export function reaches(action: string): Reaches {
  if (DATABASE_ACTIONS.has(action)) return 'database';
  return action === 'redis-info' ? 'redis' : 'cluster';
}

/** A step's shape is checked per action by the audit, so every problem in the file is reported at once. */
const stepSchema = z.object({ action: z.string(), label: z.string().max(80).optional() }).passthrough();

/** A playbook file as written, before the audit. */
export const playbookSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, 'ids are lowercase letters, digits and dashes'),
  title: z.string().min(1).max(80),
  description: z.string().min(1).max(1000),
  severities: z.array(z.string()).min(1),
  /** The namespaces its cluster steps may act in; a playbook of database steps only has none. */
  namespaces: z.array(z.string().regex(/^[a-z0-9-]{1,63}$/)).default([]),
  /** Per namespace, the deployments the playbook may touch; when set, every step's target must be listed. */
  deployments: z.record(z.string(), z.array(text).min(1)).optional(),
  configMaps: z
    .array(z.strictObject({ namespace: z.string(), name: z.string(), keys: z.array(z.string()).min(1) }))
    .default([]),
  cooldown: durationMs(DURATION_HINT).optional(),
  params: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/), paramSchema).default({}),
  steps: z.array(stepSchema).min(1),
});

export type PlaybookFile = z.output<typeof playbookSchema>;
export type Param = z.output<typeof paramSchema>;
export type Step = { [A in ActionName]: { action: A; label?: string } & z.output<(typeof ACTIONS)[A]> }[ActionName];

/** A step's action fields, without its action and label. */
export function fields(step: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(step).filter(([k]) => k !== 'action' && k !== 'label'));
}
