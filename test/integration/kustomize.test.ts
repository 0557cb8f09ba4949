import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config.js';
import { rulesFor } from '../../src/kube/permissions.js';
import { loadPlaybooks } from '../../src/runbook/playbook.js';
import { readDockerfile } from '../support/dockerfile.js';
import { REPO } from '../support/paths.js';

/** manifests/ as the real `kubectl kustomize` renders it, every object checked against the Kubernetes schemas. */

// biome-ignore lint/suspicious/noExplicitAny: rendered objects are plain JSON, read field by field below
type K8sObject = any;

const MODELS: Record<string, { new (data: never): { validate(): void } }> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
};
const MANIFESTS = new URL('manifests/', REPO).pathname;
const cacheDir = mkdtempSync(join(tmpdir(), 'firebreak-kubectl-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

function kustomize(dir: string): K8sObject[] {
  const out = execFileSync('kubectl', ['kustomize', dir, '--cache-dir', cacheDir], { encoding: 'utf8' });
  return parseAllDocuments(out).map((d) => d.toJS());
}

/** manifests/ with the kubeconfig component switched on, through an overlay as an operator would write it. */
function withKubeconfig(): K8sObject[] {
  const overlay = mkdtempSync(join(tmpdir(), 'firebreak-overlay-'));
  try {
    const base = relative(overlay, MANIFESTS);
    writeFileSync(
      join(overlay, 'kustomization.yaml'),
      `resources:\n  - ${base}\ncomponents:\n  - ${join(base, 'components/kubeconfig')}\n`,
    );
    return kustomize(overlay);
  } finally {
    rmSync(overlay, { recursive: true, force: true });
  }
}

const objects = kustomize(MANIFESTS);
const one = (kind: string) => objects.find((o) => o.kind === kind);
const deployment = one('Deployment');
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
const playbookFiles = readdirSync(new URL('playbooks', REPO)).filter((f) => /\.ya?ml$/.test(f));
/** A value for every secret setting, each containing a secret the bot must keep out of its logs. */
const SECRETS = {
  SLACK_BOT_TOKEN: 'xoxb-secret-1',
  SLACK_SIGNING_SECRET: 'secret-2',
  SLACK_APP_TOKEN: 'xapp-secret-3',
  DATABASE_URL: 'postgres://u:secret-4@db/x',
  REDIS_URL: 'redis://:secret-5@redis',
  DIAG_DATABASE_ADAPTIVE_LEARNING_URL: 'postgres://firebreak_diag:secret-6@adaptive-db/adaptive_learning',
  DIAG_DATABASE_AI_DEVELOPMENT_URL: 'postgres://firebreak_diag:secret-7@ai-db/ai_development',
  DIAG_DATABASE_EDUCATION_URL: 'postgres://firebreak_diag:secret-8@education-db/education',
  DIAG_DATABASE_STUDYTEDDY_URL: 'postgres://firebreak_diag:secret-9@studyteddy-db/studyteddy',
  PAGERDUTY_ROUTING_KEY: 'secret-10-routing-key-32-chars-x',
  PAGERDUTY_TOKEN: 'secret-11-rest-key',
  PAGERDUTY_WEBHOOK_SECRET: 'secret-12-webhook',
  ALERTMANAGER_TOKEN: 'secret-13-alertmanager',
};
const mebibytes = (q: string) => {
  const [, n, unit] = /^(\d+)(Mi|Gi)$/.exec(q)!;
  return Number(n) * (unit === 'Gi' ? 1024 : 1);
};

function validates(list: K8sObject[]) {
  for (const o of list) {
    const Model = MODELS[`${o.apiVersion}/${o.kind}`];
    expect({ object: `${o.apiVersion}/${o.kind}`, known: !!Model }).toEqual({
      object: `${o.apiVersion}/${o.kind}`,
      known: true,
    });
    expect(() => new Model!(o as never).validate()).not.toThrow();
  }
}

describe('kubectl kustomize manifests/', () => {
  it('renders objects that all validate against the Kubernetes schemas', () => {
    expect(objects.map((o) => o.kind).sort()).toEqual(
      expect.arrayContaining([
        'Deployment',
        'Service',
        'PodDisruptionBudget',
        'NetworkPolicy',
        'ServiceAccount',
        'Role',
        'RoleBinding',
        'ConfigMap',
      ]),
    );
    validates(objects);
    validates([parse(readFileSync(join(MANIFESTS, 'app/secret.example.yaml'), 'utf8'))]);
  });

  it('puts every RoleBinding in a namespace its playbooks act on, bound to the service account the pods run as', () => {
    const playbooks = loadPlaybooks(
      playbookFiles.map((f) => ({ name: f, text: readFileSync(new URL(`playbooks/${f}`, REPO), 'utf8') })),
    );
    const namespaces = [...rulesFor(playbooks.values()).keys()];
    const bindings = objects.filter((o) => o.kind === 'RoleBinding');
    const roles = objects.filter((o) => o.kind === 'Role');
    expect(bindings.map((b) => b.metadata.namespace).sort()).toEqual(namespaces);
    expect(roles.map((r) => r.metadata.namespace).sort()).toEqual(namespaces);
    const account = one('ServiceAccount');
    expect(pod.serviceAccountName).toBe(account.metadata.name);
    expect(account.metadata.namespace).toBe(deployment.metadata.namespace);
    for (const b of bindings) {
      expect(b.subjects).toEqual([
        { kind: 'ServiceAccount', name: account.metadata.name, namespace: account.metadata.namespace },
      ]);
      const role = roles.find((r) => r.metadata.namespace === b.metadata.namespace);
      expect(b.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
    }
    expect(objects.some((o) => o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding')).toBe(false);
    const rbac = parseAllDocuments(readFileSync(join(MANIFESTS, 'rbac.yaml'), 'utf8')).map((d) => d.toJS());
    for (const doc of rbac) expect(objects).toContainEqual(doc);
  });

  it('runs 2 replicas, probed on /readyz and /healthz, drained within the grace period, sized for its measured memory', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    const port = container.ports.find((p: K8sObject) => p.name === container.readinessProbe.httpGet.port);
    expect(port.containerPort).toBe(Number(container.env.find((e: K8sObject) => e.name === 'PORT').value));
    const preStop = Number(container.lifecycle.preStop.exec.command.at(-1));
    // The bot's own drain takes at most 10 s after SIGTERM, which comes after preStop.
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStop + 10);
    const { requests, limits } = container.resources;
    for (const r of ['cpu', 'memory'])
      expect({ r, requests: !!requests[r], limits: !!limits[r] }).toEqual({ r, requests: true, limits: true });
    // Measured RSS is about 175 MB (167 MiB); the limit leaves room for native memory above V8's heap cap.
    expect(mebibytes(requests.memory)).toBeGreaterThanOrEqual((175 * 1e6) / 2 ** 20);
    const options = (
      JSON.parse(readFileSync(new URL('package.json', REPO), 'utf8')) as { config: { node_options: string } }
    ).config.node_options;
    const heap =
      Number(/--max-old-space-size=(\d+)/.exec(options)![1]) +
      3 * Number(/--max-semi-space-size=(\d+)/.exec(options)![1]);
    expect(mebibytes(limits.memory)).toBeGreaterThanOrEqual(heap + 64);
    expect(mebibytes(limits.memory)).toBeGreaterThan(mebibytes(requests.memory));
    expect(container.image).toMatch(/:[\w.-]+$/);
    expect(container.image).not.toMatch(/:latest$/);
  });

  it('never runs the playground: FIREBREAK_PLAYGROUND=off in the pod as in the image', () => {
    expect(container.env.find((e: K8sObject) => e.name === 'FIREBREAK_PLAYGROUND')?.value).toBe('off');
  });

  it("runs as the image's numeric non-root user, read-only, unprivileged, with every capability dropped", () => {
    const setting = (name: string) => container.securityContext?.[name] ?? pod.securityContext?.[name];
    const user = readDockerfile()
      .at(-1)!
      .instructions.filter((i) => i.keyword === 'USER')
      .at(-1)!.args;
    expect(setting('runAsNonRoot')).toBe(true);
    expect(setting('runAsUser')).toBe(Number(user.split(':')[0]));
    expect(setting('runAsUser')).toBeGreaterThan(0);
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(container.securityContext.capabilities).toEqual({ drop: ['ALL'] });
    expect(setting('seccompProfile')).toEqual({ type: 'RuntimeDefault' });
    const tmp = container.volumeMounts.find((m: K8sObject) => m.mountPath === '/tmp');
    expect(pod.volumes.find((v: K8sObject) => v.name === tmp.name).emptyDir).toBeDefined();
    expect(container.volumeMounts.every((m: K8sObject) => m.mountPath === '/tmp' || m.readOnly === true)).toBe(true);
    expect(one('Namespace').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('reads every secret from the Secret, whose example has every key the bot treats as secret and no values', () => {
    // Which settings the bot treats as secret: those whose values it keeps out of every log line.
    const secrets = loadConfig(
      SECRETS,
      () => '',
      () => [],
    ).secrets;
    const secretNames = Object.entries(SECRETS)
      .filter(([, value]) => secrets.some((s) => value.includes(s)))
      .map(([name]) => name);
    expect(secretNames.sort()).toEqual(Object.keys(SECRETS).sort());
    const example = parse(readFileSync(join(MANIFESTS, 'app/secret.example.yaml'), 'utf8'));
    expect(Object.keys(example.stringData).sort()).toEqual(secretNames.sort());
    expect(Object.values(example.stringData).every((v) => v === '')).toBe(true);
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
    for (const name of secretNames) {
      const entry = container.env.find((e: K8sObject) => e.name === name);
      expect({ name, from: entry?.valueFrom?.secretKeyRef?.name }).toEqual({ name, from: example.metadata.name });
    }
    expect(container.env.filter((e: K8sObject) => 'value' in e && secretNames.includes(e.name))).toEqual([]);
  });

  it('configures the bot from the generated ConfigMaps: the playbooks as they are in playbooks/, and the policy', () => {
    const playbooks = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('firebreak-playbooks-'));
    for (const f of playbookFiles)
      expect({ f, text: playbooks.data[f] }).toEqual({
        f,
        text: readFileSync(new URL(`playbooks/${f}`, REPO), 'utf8'),
      });
    expect(Object.keys(playbooks.data).sort()).toEqual(playbookFiles.sort());
    // The files as the pod sees them: each ConfigMap's keys under its volume's mount path.
    const files = new Map<string, string>();
    for (const mount of container.volumeMounts) {
      const volume = pod.volumes.find((v: K8sObject) => v.name === mount.name);
      const map =
        volume.configMap && objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === volume.configMap.name);
      for (const [key, text] of Object.entries(map?.data ?? {})) files.set(`${mount.mountPath}/${key}`, text as string);
    }
    const env: Record<string, string> = { ...SECRETS };
    for (const e of container.env) if ('value' in e) env[e.name] = e.value;
    const config = loadConfig(
      env,
      (path) => files.get(path) ?? `missing ${path}`,
      (dir) => [...files.keys()].filter((p) => p.startsWith(`${dir}/`)).map((p) => p.slice(dir.length + 1)),
    );
    expect([...config.runbooks.playbooks.keys()].length).toBe(playbookFiles.length);
    expect(config.policy.severities.map((s) => s.level)).toEqual(['P0', 'P1', 'P2', 'P3']);
    expect(config.runbooks.kubeconfig).toBeUndefined();
  });

  it('lets the Service, the disruption budget and the network policy select the pods', () => {
    const labels = deployment.spec.template.metadata.labels;
    const selects = (selector: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
    const service = one('Service');
    expect(selects(service.spec.selector)).toBe(true);
    expect(container.ports.map((p: K8sObject) => p.name)).toContain(service.spec.ports[0].targetPort);
    const budget = one('PodDisruptionBudget');
    expect(budget.spec.maxUnavailable).toBe(1);
    expect(selects(budget.spec.selector.matchLabels)).toBe(true);
    expect(selects(one('NetworkPolicy').spec.podSelector.matchLabels)).toBe(true);
  });

  it('allows egress only to DNS, the API server, Postgres, Redis and HTTPS', () => {
    const policy = one('NetworkPolicy');
    expect(policy.spec.policyTypes).toEqual(expect.arrayContaining(['Ingress', 'Egress']));
    const egress = policy.spec.egress as K8sObject[];
    expect(egress.every((rule) => rule.ports?.length > 0)).toBe(true);
    const ports = new Set(egress.flatMap((rule) => rule.ports.map((p: K8sObject) => `${p.port}/${p.protocol}`)));
    expect([...ports].sort()).toEqual(['443/TCP', '53/TCP', '53/UDP', '5432/TCP', '6379/TCP', '6443/TCP']);
    const dns = egress.find((rule) => rule.ports.some((p: K8sObject) => p.port === 53));
    expect(dns.to).toEqual([
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
        podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      },
    ]);
    expect(policy.spec.ingress.flatMap((rule: K8sObject) => rule.ports.map((p: K8sObject) => p.port))).toEqual([
      'http',
    ]);
  });

  it('uses the in-cluster service account unless the kubeconfig component is on; then a read-only kubeconfig and no token', () => {
    expect(container.env.some((e: K8sObject) => e.name === 'KUBECONFIG')).toBe(false);
    expect(pod.automountServiceAccountToken).toBe(true);
    const alt = withKubeconfig();
    validates(alt);
    const altPod = alt.find((o) => o.kind === 'Deployment').spec.template.spec;
    const altContainer = altPod.containers[0];
    const path = altContainer.env.find((e: K8sObject) => e.name === 'KUBECONFIG').value as string;
    const mount = altContainer.volumeMounts.find((m: K8sObject) => path.startsWith(`${m.mountPath}/`));
    expect(mount.readOnly).toBe(true);
    const volume = altPod.volumes.find((v: K8sObject) => v.name === mount.name);
    expect(volume.secret.secretName).toBe('firebreak-kubeconfig');
    expect(volume.secret.defaultMode & 0o222).toBe(0);
    expect(altPod.automountServiceAccountToken).toBe(false);
    for (const b of alt.filter((o) => o.kind === 'RoleBinding'))
      expect(b.metadata.namespace).not.toBe(alt.find((o) => o.kind === 'Deployment').metadata.namespace);
  });
});
