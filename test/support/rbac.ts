import { readdirSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { rbacManifest } from '../../src/kube/permissions.js';
import type { Grant, Rule } from '../../src/playground/kube/server.js';
import { loadPlaybooks } from '../../src/runbook/playbook.js';
import { REPO } from './paths.js';

/** The playbooks of a folder of the repository, as the bot loads them. */
export function playbooksIn(path: string) {
  const dir = new URL(`${path}/`, REPO);
  return loadPlaybooks(
    readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => ({ name: `${path}/${f}`, text: readFileSync(new URL(f, dir), 'utf8') })),
  );
}

/** What a token bound by an RBAC manifest's Roles and RoleBindings may do, for the fake API server. */
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

/** The grant the shipped manifests/rbac.yaml gives the bot. */
export const shippedGrant = () => grantFrom(readFileSync(new URL('manifests/rbac.yaml', REPO), 'utf8'));

/** The grant the same generator makes for the playbooks of `path` (the examples the runbook tests drive). */
export const grantFor = (path: string) => grantFrom(rbacManifest(playbooksIn(path).values()));
