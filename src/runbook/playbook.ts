import { z } from 'zod';
import { readYaml, SourceError, validateYaml } from '../yaml-source.js';

/** A value a parameter may take: no spaces, no template or shell syntax. */
const SAFE_VALUE = /^[A-Za-z0-9._:/@=+-]{1,253}$/;
/** `{{ name }}`: the only template form; anything else with braces is refused. */
const TEMPLATE = /\{\{\s*([a-zA-Z][a-zA-Z0-9_]*)\s*\}\}/g;

const description = z.string().max(300).optional();
/** Names a parameter may not have: they are properties every JavaScript object already has. */
const RESERVED: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));
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
    timeout: z
      .string()
      .regex(/^\d+[sm]$/)
      .default('5m'),
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
} as const;

export type ActionName = keyof typeof ACTIONS;
export const MUTATING: ReadonlySet<ActionName> = new Set([
  'rollout-restart',
  'scale',
  'rollout-undo',
  'set-image',
  'set-env',
  'set-memory-limit',
  'patch-configmap',
]);

/** A step's shape is checked per action in `audit`, so every problem in the file is reported at once. */
const stepSchema = z.object({ action: z.string(), label: z.string().max(80).optional() }).passthrough();

const playbookSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, 'ids are lowercase letters, digits and dashes'),
  title: z.string().min(1).max(80),
  description: z.string().min(1).max(1000),
  severities: z.array(z.string()).min(1),
  namespaces: z.array(z.string().regex(/^[a-z0-9-]{1,63}$/)).min(1),
  /** Per namespace, the deployments the playbook may touch; when set, every step's target must be listed. */
  deployments: z.record(z.string(), z.array(text).min(1)).optional(),
  configMaps: z
    .array(z.strictObject({ namespace: z.string(), name: z.string(), keys: z.array(z.string()).min(1) }))
    .default([]),
  cooldown: z
    .string()
    .regex(/^\d+[smh]$/)
    .optional(),
  params: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/), paramSchema).default({}),
  steps: z.array(stepSchema).min(1),
});

export type Param = z.output<typeof paramSchema>;
export type Step = { [A in ActionName]: { action: A; label?: string } & z.output<(typeof ACTIONS)[A]> }[ActionName];

/** A reviewed playbook: the only things Firebreak can do to a cluster. */
export interface Playbook {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly severities: readonly string[];
  readonly namespaces: readonly string[];
  /** Per namespace, the deployments its steps may name; absent: any the parameters allow. */
  readonly deployments: Readonly<Record<string, readonly string[]>> | undefined;
  readonly configMaps: readonly { namespace: string; name: string; keys: readonly string[] }[];
  readonly cooldownMs: number | undefined;
  readonly params: Readonly<Record<string, Param>>;
  readonly steps: readonly Step[];
  readonly source: string;
}

const MS = { s: 1000, m: 60_000, h: 3_600_000 } as const;
const toMs = (d: string) => Number(d.slice(0, -1)) * MS[d.slice(-1) as keyof typeof MS];

/** The values a field may take at run time: a literal, or every value of the enum it names. */
function possible(value: unknown, params: Record<string, Param>): string[] | undefined {
  if (typeof value !== 'string') return [String(value)];
  const refs = [...value.matchAll(TEMPLATE)];
  if (!refs.length) return [value];
  if (refs.length !== 1 || refs[0]![0] !== value) return undefined;
  const p = params[refs[0]![1]!];
  return p?.type === 'enum' ? p.values : undefined;
}

/** A step's action fields, without its action and label. */
function fields(step: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(step).filter(([k]) => k !== 'action' && k !== 'label'));
}

/** Checks templates and allowlists: the hostile playbook is refused at load time. */
function audit(pb: z.output<typeof playbookSchema>, where: (path: PropertyKey[]) => string): string[] {
  const problems: string[] = [];
  const params = pb.params;
  for (const ns of Object.keys(pb.deployments ?? {}))
    if (!pb.namespaces.includes(ns))
      problems.push(
        `${where(['deployments', ns])}: deployments.${ns}: "${ns}" is not one of the playbook's namespaces (${pb.namespaces.join(', ')})`,
      );
  for (const [name, p] of Object.entries(params)) {
    if (RESERVED.has(name))
      problems.push(
        `${where(['params', name])}: params.${name}: "${name}" is a reserved name; call the parameter something else`,
      );
    const defaultBad =
      p.default !== undefined &&
      (p.type === 'enum'
        ? !p.values.includes(p.default as string)
        : p.type === 'integer'
          ? (p.default as number) < p.min || (p.default as number) > p.max
          : !new RegExp(p.pattern).test(p.default as string));
    if (defaultBad)
      problems.push(
        `${where(['params', name, 'default'])}: params.${name}.default: is not one of the values the parameter allows`,
      );
    if (p.type === 'integer' && p.min > p.max)
      problems.push(`${where(['params', name])}: params.${name}: min is above max`);
    if (p.type === 'string') {
      try {
        const re = new RegExp(p.pattern);
        if (
          !p.pattern.startsWith('^') ||
          !p.pattern.endsWith('$') ||
          re.test('{{x}}') ||
          re.test('a b') ||
          re.test('$(x)')
        )
          problems.push(
            `${where(['params', name, 'pattern'])}: params.${name}.pattern: must be anchored (^…$) and refuse spaces, braces and $( )`,
          );
      } catch {
        problems.push(`${where(['params', name, 'pattern'])}: params.${name}.pattern: is not a regular expression`);
      }
    }
  }
  pb.steps.forEach((step, n) => {
    if (!(step.action in ACTIONS)) {
      problems.push(
        `${where(['steps', n, 'action'])}: steps.${n}.action: "${step.action}" is not an action Firebreak knows; use one of ${Object.keys(ACTIONS).join(', ')}`,
      );
      return;
    }
    const schema = ACTIONS[step.action as ActionName];
    const parsed = schema.safeParse(fields(step));
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push(
          `${where(['steps', n, ...issue.path])}: steps.${n}.${issue.path.join('.') || 'action'}: ${issue.message}`,
        );
      return;
    }
    for (const [field, value] of Object.entries(fields(step))) {
      const raw = typeof value === 'object' && value !== null ? Object.values(value).join(' ') : String(value);
      const stripped = raw.replace(TEMPLATE, '');
      if (/\{\{|\}\}|\$\{|\$\(|`/.test(stripped))
        problems.push(
          `${where(['steps', n, field])}: steps.${n}.${field}: template syntax other than {{param}} is refused`,
        );
      for (const [, ref] of raw.matchAll(TEMPLATE))
        if (!(ref! in params))
          problems.push(`${where(['steps', n, field])}: steps.${n}.${field}: {{${ref}}} is not a declared parameter`);
    }
    const ns = possible(step.namespace, params);
    if (!ns)
      problems.push(
        `${where(['steps', n, 'namespace'])}: steps.${n}.namespace: must be a literal or one enum parameter, so the allowlist can be checked`,
      );
    else
      for (const v of ns)
        if (!pb.namespaces.includes(v))
          problems.push(
            `${where(['steps', n, 'namespace'])}: steps.${n}.namespace: "${v}" is outside the playbook's namespaces (${pb.namespaces.join(', ')})`,
          );
    const deployments = 'deployment' in step ? possible(step.deployment, params) : [];
    if (!deployments)
      problems.push(
        `${where(['steps', n, 'deployment'])}: steps.${n}.deployment: must be a literal or one enum parameter (the allowed deployments)`,
      );
    else if (pb.deployments)
      for (const d of deployments)
        if (!(ns ?? []).some((namespace) => pb.deployments![namespace]?.includes(d)))
          problems.push(
            `${where(['steps', n, 'deployment'])}: steps.${n}.deployment: "${d}" is not in the playbook's deployments allowlist for ${(ns ?? []).join(', ')}`,
          );
    if (step.action === 'patch-configmap') {
      const names = possible(step.name, params) ?? [];
      const keys = possible(step.key, params) ?? [];
      for (const namespace of ns ?? [])
        for (const name of names)
          for (const key of keys) {
            if (!pb.configMaps.some((c) => c.namespace === namespace && c.name === name && c.keys.includes(key)))
              problems.push(
                `${where(['steps', n, 'key'])}: steps.${n}: ConfigMap ${namespace}/${name} key "${key}" is outside the playbook's configMaps allowlist`,
              );
          }
      if (!names.length || !keys.length)
        problems.push(
          `${where(['steps', n])}: steps.${n}: the ConfigMap name and key must be literals or enum parameters`,
        );
    }
  });
  return problems;
}

/** Parses and checks one playbook file; throws `SourceError` naming the file and line of every problem. */
export function parsePlaybook(text: string, source: string): Playbook {
  const src = readYaml(text, source);
  const pb = validateYaml(src, playbookSchema);
  const problems = audit(pb, (path) => src.where(path));
  if (problems.length) throw new SourceError(problems);
  return {
    id: pb.id,
    title: pb.title,
    description: pb.description,
    severities: pb.severities,
    namespaces: pb.namespaces,
    deployments: pb.deployments,
    configMaps: pb.configMaps,
    cooldownMs: pb.cooldown ? toMs(pb.cooldown) : undefined,
    params: pb.params,
    source,
    steps: pb.steps.map(
      (s) =>
        ({
          action: s.action,
          ...(s.label && { label: s.label }),
          ...ACTIONS[s.action as ActionName].parse(fields(s)),
        }) as Step,
    ),
  };
}

/** Loads every playbook; all problems in all files are reported together, and ids must be unique. */
export function loadPlaybooks(files: readonly { name: string; text: string }[]): Map<string, Playbook> {
  const problems: string[] = [];
  const out = new Map<string, Playbook>();
  for (const f of files) {
    try {
      const pb = parsePlaybook(f.text, f.name);
      if (out.has(pb.id)) problems.push(`${f.name}:1: id "${pb.id}" is already used by ${out.get(pb.id)!.source}`);
      else out.set(pb.id, pb);
    } catch (err) {
      if (err instanceof SourceError) problems.push(...err.problems);
      else throw err;
    }
  }
  if (problems.length) throw new SourceError(problems);
  return out;
}

/** One thing a playbook step can act on: an action, a namespace, and the object's name. */
export interface Reach {
  readonly action: ActionName;
  readonly namespace: string;
  /** The deployment, or for `patch-configmap` the ConfigMap. */
  readonly name: string;
}

/** Everything the playbook's steps can reach, whatever parameters are given (within its allowlists). */
export function reachOf(pb: Playbook): Reach[] {
  const out: Reach[] = [];
  for (const step of pb.steps) {
    const s = step as Step & { namespace: string; deployment?: string; name?: string };
    for (const namespace of possible(s.namespace, pb.params) ?? [])
      for (const name of possible(s.deployment ?? s.name, pb.params) ?? []) {
        const allowed =
          step.action === 'patch-configmap' || !pb.deployments || pb.deployments[namespace]?.includes(name);
        if (allowed) out.push({ action: step.action, namespace, name });
      }
  }
  return out;
}
