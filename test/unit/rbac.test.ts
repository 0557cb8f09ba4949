import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { rbacManifest, rulesFor } from '../../src/kube/permissions.js';
import { loadPlaybooks, reachOf } from '../../src/runbook/playbook.js';

const dir = new URL('../../playbooks/', import.meta.url);
const playbooks = loadPlaybooks(
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => ({ name: `playbooks/${f}`, text: readFileSync(new URL(f, dir), 'utf8') })),
);
const manifest = readFileSync(new URL('../../manifests/rbac.yaml', import.meta.url), 'utf8');
const docs = parseAllDocuments(manifest).map(
  (d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string }; rules?: unknown[] },
);

describe('manifests/rbac.yaml and the playbooks', () => {
  it('match exactly: every action a playbook can take is granted in its namespace, and nothing else (run `npm run rbac` after changing a playbook)', () => {
    expect(manifest).toBe(rbacManifest(playbooks.values()));
    const roles = docs.filter((d) => d.kind === 'Role');
    expect(roles.map((r) => r.metadata.namespace)).toEqual([...rulesFor(playbooks.values()).keys()]);
    for (const role of roles) expect(role.rules).toEqual(rulesFor(playbooks.values()).get(role.metadata.namespace!));
    expect(docs.some((d) => d.kind === 'ClusterRole' || d.kind === 'ClusterRoleBinding')).toBe(false);
  });

  it('grant the four namespaces of our runbooks, each a RoleBinding to its own Role', () => {
    expect(docs.filter((d) => d.kind === 'RoleBinding').map((d) => d.metadata.namespace)).toEqual([
      'adaptive-learning-production',
      'ai-development',
      'education',
      'studyteddy-production',
    ]);
  });

  it('limit changes to the deployments and the ConfigMap the playbooks name', () => {
    const rules = rulesFor(playbooks.values());
    const ai = rules.get('ai-development')!;
    expect(ai).toContainEqual({
      apiGroups: [''],
      resources: ['configmaps'],
      verbs: ['get', 'patch'],
      resourceNames: ['api-gateway-config'],
    });
    expect(ai).toContainEqual({
      apiGroups: ['apps'],
      resources: ['deployments'],
      verbs: ['get', 'patch', 'watch'],
      resourceNames: ['api-gateway', 'api-server', 'auth-service'],
    });
    expect(rules.get('education')!.some((r) => r.resources.includes('configmaps'))).toBe(false);
    const patched = [...rules.values()].flat().filter((r) => r.verbs.includes('patch'));
    expect(patched.every((r) => r.resourceNames?.length)).toBe(true);
  });

  it('drift is caught: a playbook reaching one more deployment changes the expected manifest', () => {
    const restart = playbooks.get('restart-service')!;
    const wider = {
      ...restart,
      deployments: { ...restart.deployments, education: ['education-revenue-engine', 'billing'] },
      params: {
        ...restart.params,
        deployment: { type: 'enum' as const, values: ['education-revenue-engine', 'billing'] },
      },
    };
    expect(reachOf(wider).some((r) => r.name === 'billing')).toBe(true);
    expect(rbacManifest([...playbooks.values()].map((p) => (p.id === 'restart-service' ? wider : p)))).not.toBe(
      manifest,
    );
  });

  it('grant nothing for database and Redis steps: the shipped database playbooks add no rule, a mixed one only its cluster steps', () => {
    const data = ['database-health', 'kill-long-running-queries', 'ai-database-connections'].map(
      (id) => playbooks.get(id)!,
    );
    expect(data.flatMap(reachOf)).toEqual([]);
    expect(rulesFor(data)).toEqual(new Map());
    const without = [...playbooks.values()].filter((p) => !data.includes(p));
    expect(rbacManifest(without)).toBe(manifest);
    const mixed = {
      ...data[0]!,
      namespaces: ['education'],
      steps: [...data[0]!.steps, { action: 'get-deployment' as const, namespace: 'education', deployment: 'api' }],
    };
    expect(reachOf(mixed)).toEqual([{ action: 'get-deployment', namespace: 'education', name: 'api' }]);
  });
});
