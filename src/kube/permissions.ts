/**
 * The Kubernetes RBAC the playbooks need: per namespace, exactly the API calls their actions make
 * (see reads.ts and mutations.ts), on exactly the objects they can name, and nothing else.
 */
import { Document, isScalar, visit } from 'yaml';
import { type Playbook, reachOf } from '../runbook/playbook.js';
import type { ClusterAction } from '../runbook/playbook-schema.js';

/** One API permission: `group/resource` and verb, limited to `name` when the call names its object. */
interface Need {
  readonly group: string;
  readonly resource: string;
  readonly verb: string;
  readonly named: boolean;
}

const need = (group: string, resource: string, verbs: string[], named: boolean): Need[] =>
  verbs.map((verb) => ({ group, resource, verb, named }));
const READ_DEPLOYMENT = need('apps', 'deployments', ['get'], true);
const PODS = need('', 'pods', ['list'], false);
const HISTORY = need('apps', 'replicasets', ['list'], false);
/** Every change is previewed: the deployment and the pods that will restart are read first. */
const CHANGE = [...READ_DEPLOYMENT, ...PODS, ...need('apps', 'deployments', ['patch'], true)];

/** The calls each cluster action makes (database and Redis actions make none: `reachOf` leaves them out). */
export const NEEDS: Record<ClusterAction, readonly Need[]> = {
  'get-deployment': READ_DEPLOYMENT,
  'list-pods': [...READ_DEPLOYMENT, ...PODS],
  'pod-restarts': [...READ_DEPLOYMENT, ...PODS],
  'recent-events': need('', 'events', ['list'], false),
  'warning-events': [...READ_DEPLOYMENT, ...HISTORY, ...PODS, ...need('', 'events', ['list'], false)],
  'top-pods': [...READ_DEPLOYMENT, ...need('metrics.k8s.io', 'pods', ['list'], false)],
  'hpa-status': need('autoscaling', 'horizontalpodautoscalers', ['list'], false),
  'rollout-history': [...READ_DEPLOYMENT, ...HISTORY],
  // The watch names its deployment with a metadata.name field selector, so resourceNames covers it.
  'rollout-status': need('apps', 'deployments', ['get', 'watch'], true),
  'pod-logs': [...READ_DEPLOYMENT, ...PODS, ...need('', 'pods/log', ['get'], false)],
  'rollout-restart': CHANGE,
  scale: [...READ_DEPLOYMENT, ...PODS, ...need('apps', 'deployments/scale', ['patch'], true)],
  'rollout-undo': [...CHANGE, ...HISTORY],
  'set-image': CHANGE,
  'set-env': CHANGE,
  'set-memory-limit': CHANGE,
  'patch-configmap': need('', 'configmaps', ['get', 'patch'], true),
};

/** An RBAC rule as it appears in a Role. */
export interface RbacRule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
  readonly resourceNames?: string[];
}

/** Per namespace, the Role rules the playbooks need, in a stable order. */
export function rulesFor(playbooks: Iterable<Playbook>): Map<string, RbacRule[]> {
  const grants = new Map<
    string,
    Map<string, { group: string; resource: string; verbs: Set<string>; names?: Set<string> }>
  >();
  for (const pb of playbooks)
    for (const reach of reachOf(pb))
      for (const n of NEEDS[reach.action]) {
        const ns = grants.get(reach.namespace) ?? new Map();
        grants.set(reach.namespace, ns);
        const key = `${n.group}|${n.resource}|${n.named ? 'named' : 'any'}`;
        const g = ns.get(key) ?? {
          group: n.group,
          resource: n.resource,
          verbs: new Set(),
          ...(n.named && { names: new Set() }),
        };
        ns.set(key, g);
        g.verbs.add(n.verb);
        g.names?.add(reach.name);
      }
  const out = new Map<string, RbacRule[]>();
  for (const ns of [...grants.keys()].sort())
    out.set(
      ns,
      [...grants.get(ns)!.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([, g]) => ({
          apiGroups: [g.group],
          resources: [g.resource],
          verbs: [...g.verbs].sort(),
          ...(g.names && { resourceNames: [...g.names].sort() }),
        })),
    );
  return out;
}

const HEADER = `# Kubernetes RBAC for Firebreak, generated from playbooks/ by \`npm run rbac\`: per namespace, exactly
# the API calls the playbooks' actions make, on the objects they can name, and nothing else.
# test/unit/rbac.test.ts fails when this file and the playbooks drift apart.
`;

/** The ServiceAccount, and a Role and RoleBinding per namespace the playbooks act on, as YAML. */
export function rbacManifest(playbooks: Iterable<Playbook>, account = { name: 'firebreak', namespace: 'firebreak' }) {
  const subject = { kind: 'ServiceAccount', name: account.name, namespace: account.namespace };
  const docs: unknown[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: account.name, namespace: account.namespace } },
  ];
  for (const [namespace, rules] of rulesFor(playbooks)) {
    const metadata = { name: 'firebreak-runbooks', namespace };
    docs.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata, rules });
    docs.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata,
      subjects: [subject],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'firebreak-runbooks' },
    });
  }
  const yaml = (d: unknown) => {
    const doc = new Document(d);
    // Lists of names and verbs read best on one line, as in hand-written RBAC.
    visit(doc, {
      Seq: (_, node) => {
        if (node.items.every((i) => isScalar(i))) node.flow = true;
      },
    });
    return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  };
  return HEADER + docs.map(yaml).join('---\n');
}
