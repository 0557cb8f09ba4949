import { parseAllDocuments } from 'yaml';
import type { Grant, Rule } from './access.js';

/** What a token bound by an RBAC manifest's Roles and RoleBindings may do, for the simulated API server: each RoleBinding's namespace gets its Role's rules. */
export function grantFrom(manifest: string): Grant {
  const docs = parseAllDocuments(manifest).map(
    (d) =>
      d.toJS() as {
        kind: string;
        metadata: { name: string; namespace?: string };
        rules?: Rule[];
        roleRef?: { name: string };
      },
  );
  const roles = docs
    .filter((d) => d.kind === 'RoleBinding')
    .map((b) => ({
      namespace: b.metadata.namespace!,
      rules:
        docs.find(
          (r) =>
            r.kind === 'Role' && r.metadata.namespace === b.metadata.namespace && r.metadata.name === b.roleRef?.name,
        )?.rules ?? [],
    }));
  return { verbs: [], resources: [], roles };
}
