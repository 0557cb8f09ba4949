/** The checks a playbook passes before it loads: templates, parameters and allowlists. */
import { dataStepProblems } from './data-audit.js';
import {
  ACTIONS,
  type ActionName,
  fields,
  type Param,
  type PlaybookFile,
  reaches,
  type Step,
} from './playbook-schema.js';
import { possible, TEMPLATE } from './template.js';

/** Names a parameter may not have: they are properties every JavaScript object already has. */
const RESERVED: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

type Where = (path: PropertyKey[]) => string;

/** Whether a parameter's default is one of the values the parameter allows. */
function defaultAllowed(p: Param): boolean {
  switch (p.type) {
    case 'enum':
      return p.values.includes(p.default as string);
    case 'integer':
      return (p.default as number) >= p.min && (p.default as number) <= p.max;
    case 'string':
      return new RegExp(p.pattern).test(p.default as string);
  }
}

/** A string parameter's pattern must be anchored and refuse template and shell syntax. */
function patternProblem(pattern: string): string | undefined {
  try {
    const re = new RegExp(pattern);
    const loose =
      !pattern.startsWith('^') || !pattern.endsWith('$') || re.test('{{x}}') || re.test('a b') || re.test('$(x)');
    return loose ? 'must be anchored (^…$) and refuse spaces, braces and $( )' : undefined;
  } catch {
    return 'is not a regular expression';
  }
}

function paramProblems(name: string, p: Param, where: Where): string[] {
  const problems: string[] = [];
  if (RESERVED.has(name))
    problems.push(
      `${where(['params', name])}: params.${name}: "${name}" is a reserved name; call the parameter something else`,
    );
  if (p.default !== undefined && !defaultAllowed(p))
    problems.push(
      `${where(['params', name, 'default'])}: params.${name}.default: is not one of the values the parameter allows`,
    );
  if (p.type === 'integer' && p.min > p.max)
    problems.push(`${where(['params', name])}: params.${name}: min is above max`);
  const pattern = p.type === 'string' ? patternProblem(p.pattern) : undefined;
  if (pattern) problems.push(`${where(['params', name, 'pattern'])}: params.${name}.pattern: ${pattern}`);
  return problems;
}

/**
 * Checks templates and allowlists, so a hostile playbook is refused at load time. Returns every
 * problem as `file:line: path: what is wrong`; `where` names the line of a path.
 */
export function auditPlaybook(pb: PlaybookFile, where: Where): string[] {
  const problems: string[] = [];
  const params = pb.params;
  for (const ns of Object.keys(pb.deployments ?? {}))
    if (!pb.namespaces.includes(ns))
      problems.push(
        `${where(['deployments', ns])}: deployments.${ns}: "${ns}" is not one of the playbook's namespaces (${pb.namespaces.join(', ')})`,
      );
  for (const [name, p] of Object.entries(params)) problems.push(...paramProblems(name, p, where));
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
    if (reaches(step.action) !== 'cluster') {
      problems.push(...dataStepProblems({ action: step.action, ...parsed.data } as Step, n, params, where));
      return;
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
