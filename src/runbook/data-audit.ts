/** The load-time checks of database and Redis steps: names the bot can check at boot, and bounded terminate filters. */
import { matchesEverything } from './backend-filter.js';
import type { Param, Step } from './playbook-schema.js';
import { reaches } from './playbook-schema.js';
import { possible, TEMPLATE } from './template.js';

/** A logical database or Redis name: it names the environment variable of its connection. */
export const DATA_NAME = /^[a-z][a-z0-9-]{0,40}$/;

/** `DIAG_DATABASE_ADAPTIVE_LEARNING_URL` for database `adaptive-learning`. */
export function connectionVariable(kind: 'database' | 'redis', name: string): string {
  return `DIAG_${kind.toUpperCase()}_${name.toUpperCase().replace(/-/g, '_')}_URL`;
}

const templated = (value: unknown) => typeof value === 'string' && new RegExp(TEMPLATE.source).test(value);

function terminateProblems(step: Extract<Step, { action: 'pg-terminate' }>, at: (field: string) => string): string[] {
  const problems: string[] = [];
  if (step.queryPattern !== undefined) {
    if (templated(step.queryPattern))
      problems.push(`${at('queryPattern')}: must be a literal: a parameter's value could widen the pattern`);
    else
      try {
        new RegExp(step.queryPattern);
      } catch {
        problems.push(`${at('queryPattern')}: is not a regular expression`);
      }
  }
  // A filter with parameters in it is checked again once they are given (guard.ts).
  const literal = ![step.olderThan, step.user, step.application].some(templated);
  if (literal && matchesEverything(step) && step.maxBackends === undefined)
    problems.push(
      `${at('maxBackends')}: the filter would match every backend (no user, application, queryPattern or olderThan); set maxBackends to bound how many backends one run may end`,
    );
  return problems;
}

/**
 * Problems of one database or Redis step, as `file:line: path: what is wrong`: its database (or
 * Redis) must be a literal or one enum parameter, so the bot can check at boot that it has a
 * connection for every name a playbook can reach.
 */
export function dataStepProblems(
  step: Step,
  n: number,
  params: Readonly<Record<string, Param>>,
  where: (path: PropertyKey[]) => string,
): string[] {
  const at = (field: string) => `${where(['steps', n, field])}: steps.${n}.${field}`;
  const kind = reaches(step.action) === 'redis' ? 'redis' : 'database';
  const value = (step as { database?: string; redis?: string })[kind];
  const names = possible(value, params);
  const problems: string[] = [];
  if (!names)
    problems.push(
      `${at(kind)}: must be a literal or one enum parameter, so the bot can check at boot that it has a connection for each`,
    );
  for (const name of names ?? [])
    if (!DATA_NAME.test(name))
      problems.push(
        `${at(kind)}: "${name}" is not a ${kind} name: use lowercase letters, digits and dashes (it names the variable ${connectionVariable(kind, 'name')} of its connection)`,
      );
  if (step.action === 'pg-terminate') problems.push(...terminateProblems(step, at));
  return problems;
}
