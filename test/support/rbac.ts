import { readdirSync, readFileSync } from 'node:fs';
import { rbacManifest } from '../../src/kube/permissions.js';
import { grantFrom } from '../../src/playground/kube/rbac.js';
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

/** The grant the shipped manifests/rbac.yaml gives the bot. */
export const shippedGrant = () => grantFrom(readFileSync(new URL('manifests/rbac.yaml', REPO), 'utf8'));

/** The grant the same generator makes for the playbooks of `path` (the examples the runbook tests drive). */
export const grantFor = (path: string) => grantFrom(rbacManifest(playbooksIn(path).values()));
