/** A playbook's typed parameters, read from `key=value` arguments. */
import { UserError } from '../errors.js';
import type { Playbook } from './playbook.js';
import type { Param } from './playbook-schema.js';

/** Reads `key=value` arguments against the playbook's typed parameters, applying defaults. */
export function bindParams(
  playbook: Playbook,
  args: Readonly<Record<string, string>>,
): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  const problems: string[] = [];
  for (const key of Object.keys(args))
    if (!Object.hasOwn(playbook.params, key)) problems.push(`\`${key}\` is not a parameter of ${playbook.id}`);
  for (const [name, p] of Object.entries(playbook.params)) {
    const raw = Object.hasOwn(args, name) ? args[name] : undefined;
    if (raw === undefined) {
      if (p.default === undefined) problems.push(`\`${name}\` is required (${describeParam(p)})`);
      else out[name] = p.default;
      continue;
    }
    const value = coerce(p, raw);
    if (value === undefined) problems.push(`\`${name}=${raw.slice(0, 40)}\` is not allowed (${describeParam(p)})`);
    else out[name] = value;
  }
  if (problems.length)
    throw new UserError(
      'usage',
      `${problems.join('\n')}\nUsage: \`/incident run ${playbook.id} ${Object.keys(playbook.params)
        .map((k) => `${k}=…`)
        .join(' ')}\``,
    );
  return out;
}

function coerce(p: Param, raw: string): string | number | undefined {
  switch (p.type) {
    case 'enum':
      return p.values.includes(raw) ? raw : undefined;
    case 'integer': {
      const n = Number(raw);
      return /^-?\d+$/.test(raw) && n >= p.min && n <= p.max ? n : undefined;
    }
    case 'string':
      return new RegExp(p.pattern).test(raw) ? raw : undefined;
  }
}

/** How a parameter is given, for usage messages. */
export function describeParam(p: Param): string {
  switch (p.type) {
    case 'enum':
      return `one of ${p.values.join(', ')}`;
    case 'integer':
      return `a whole number from ${p.min} to ${p.max}`;
    case 'string':
      return `matching ${p.pattern}`;
  }
}
