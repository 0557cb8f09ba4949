/** `{{ param }}` in playbook steps: what a field can become, and the step with its parameters filled in. */
import type { Playbook } from './playbook.js';
import { MUTATING, type Param, reaches, type Step } from './playbook-schema.js';

/** `{{ name }}`: the only template form; anything else with braces is refused. */
export const TEMPLATE = /\{\{\s*([a-zA-Z][a-zA-Z0-9_]*)\s*\}\}/g;

/** The values a field may take at run time: a literal, or every value of the enum it names. */
export function possible(value: unknown, params: Readonly<Record<string, Param>>): string[] | undefined {
  if (typeof value !== 'string') return [String(value)];
  const refs = [...value.matchAll(TEMPLATE)];
  if (!refs.length) return [value];
  if (refs.length !== 1 || refs[0]![0] !== value) return undefined;
  const p = params[refs[0]![1]!];
  return p?.type === 'enum' ? p.values : undefined;
}

/** A step with its parameters filled in. */
export function renderStep(step: Step, params: Readonly<Record<string, string | number>>): Step {
  const fill = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const whole = /^\{\{\s*(\w+)\s*\}\}$/.exec(v);
      if (whole) return params[whole[1]!];
      return v.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => String(params[k]));
    }
    if (Array.isArray(v)) return v.map(fill);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]));
    return v;
  };
  return fill(step) as Step;
}

/** A step that names a deployment: every action but `patch-configmap`. */
export type DeploymentStep = Step & { namespace: string; deployment: string };

/**
 * What a step acts on: `namespace/name` of its deployment (for `patch-configmap` its ConfigMap),
 * `database/<name>` or `redis/<name>`.
 */
export function stepTarget(step: Step): string {
  const s = step as Step & { namespace: string; deployment?: string; name?: string; database?: string; redis?: string };
  const kind = reaches(step.action);
  if (kind !== 'cluster') return `${kind}/${kind === 'database' ? s.database : s.redis}`;
  return `${s.namespace}/${s.deployment ?? s.name}`;
}

/** Everything the run changes (`namespace/deployment`, `database/<name>`), in step order, each once. */
export function targetsOf(playbook: Playbook, params: Readonly<Record<string, string | number>>): string[] {
  const steps = playbook.steps.filter((s) => MUTATING.has(s.action));
  return [...new Set(steps.map((s) => stepTarget(renderStep(s, params))))];
}

/** What the run changes first: the run's target, named on its card and in cooldowns. */
export function targetOf(playbook: Playbook, params: Readonly<Record<string, string | number>>): string | undefined {
  return targetsOf(playbook, params)[0];
}

/** The read-only playbook that shows a target's health: the database one for a database, else the service one. */
export const healthPlaybook = (target: string | undefined) =>
  target?.startsWith('database/') ? 'database-health' : 'check-service-health';
