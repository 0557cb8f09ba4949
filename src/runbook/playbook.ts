/** Reviewed playbooks: loading, checking and what their steps can reach. */
import { readYaml, SourceError, validateYaml } from '../yaml-source.js';
import { auditPlaybook } from './playbook-audit.js';
import {
  ACTIONS,
  type ActionName,
  type ClusterAction,
  fields,
  type Param,
  playbookSchema,
  reaches,
  type Step,
} from './playbook-schema.js';
import { possible } from './template.js';

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

/** Parses and checks one playbook file; throws `SourceError` naming the file and line of every problem. */
export function parsePlaybook(text: string, source: string): Playbook {
  const src = readYaml(text, source);
  const pb = validateYaml(src, playbookSchema);
  const problems = auditPlaybook(pb, (path) => src.where(path));
  if (problems.length) throw new SourceError(problems);
  return {
    id: pb.id,
    title: pb.title,
    description: pb.description,
    severities: pb.severities,
    namespaces: pb.namespaces,
    deployments: pb.deployments,
    configMaps: pb.configMaps,
    cooldownMs: pb.cooldown,
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

/** One thing a playbook's cluster step can act on: an action, a namespace, and the object's name. */
export interface Reach {
  readonly action: ClusterAction;
  readonly namespace: string;
  /** The deployment, or for `patch-configmap` the ConfigMap. */
  readonly name: string;
}

/**
 * Everything the playbook's cluster steps can reach, whatever parameters are given (within its
 * allowlists). Database and Redis steps reach no Kubernetes object: see `dataReachOf`.
 */
export function reachOf(pb: Playbook): Reach[] {
  const out: Reach[] = [];
  for (const step of pb.steps) {
    if (reaches(step.action) !== 'cluster') continue;
    const s = step as Step & { action: ClusterAction; namespace: string; deployment?: string; name?: string };
    for (const namespace of possible(s.namespace, pb.params) ?? [])
      for (const name of possible(s.deployment ?? s.name, pb.params) ?? []) {
        const allowed =
          step.action === 'patch-configmap' || !pb.deployments || pb.deployments[namespace]?.includes(name);
        if (allowed) out.push({ action: s.action, namespace, name });
      }
  }
  return out;
}

/** A database or Redis a playbook's step can name, by its logical name. */
export interface DataReach {
  readonly kind: 'database' | 'redis';
  readonly name: string;
  /** The index of the step that names it. */
  readonly step: number;
}

/** Every database and Redis the playbook's steps can name, whatever parameters are given. */
export function dataReachOf(pb: Playbook): DataReach[] {
  const out: DataReach[] = [];
  pb.steps.forEach((step, n) => {
    const kind = reaches(step.action);
    if (kind === 'cluster') return;
    const field = kind === 'database' ? (step as { database: string }).database : (step as { redis: string }).redis;
    for (const name of possible(field, pb.params) ?? []) out.push({ kind, name, step: n });
  });
  return out;
}
