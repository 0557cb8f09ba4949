import { createHash, randomUUID } from 'node:crypto';
import type { Json } from './patch.js';

/** A stored Kubernetes object (loosely typed: the fake checks what the API server checks). */
export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: Meta;
  spec?: any;
  status?: any;
  [k: string]: any;
};
interface Meta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: any[];
  [k: string]: any;
}

export type WatchEvent = { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject };

const REVISION = 'deployment.kubernetes.io/revision';
const HASH = 'pod-template-hash';

/** The template without the controller's own label: two templates are "the same" when these match. */
function templateKey(template: any): string {
  const t = structuredClone(template ?? {});
  if (t.metadata?.labels) delete t.metadata.labels[HASH];
  return JSON.stringify(sortKeys(t));
}
function sortKeys(v: any): any {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys(v[k])]),
    );
  return v;
}
/** Decoding into the Go types drops `null` fields (such as `creationTimestamp: null` in a template), so the server never stores them. */
function withoutNulls(v: any): any {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== null)
        .map(([k, x]) => [k, withoutNulls(x)]),
    );
  return v;
}

const shortHash = (s: string) =>
  createHash('sha256')
    .update(s)
    .digest('hex')
    .replace(/[^a-z0-9]/g, '')
    .slice(0, 10)
    .replace(/[aeiou]/g, 'b');

/**
 * The objects of a fake cluster and a simulated deployment controller that
 * behaves as the real one does where kubectl and the bot can tell: a new
 * ReplicaSet per distinct pod template with a revision annotation, an old one
 * reused on rollback, pods replaced step by step, and status conditions that
 * move over time.
 */
export class FakeCluster {
  private readonly objects = new Map<string, KubeObject>();
  private readonly listeners = new Set<(resource: string, e: WatchEvent) => void>();
  private rv = 1000;
  /** Time between controller steps; rollouts take `replicas` steps. */
  stepMs = 40;
  /** When set, rollouts never finish (for timeout tests). */
  stalled = false;

  key(resource: string, namespace: string | undefined, name: string): string {
    return `${resource}/${namespace ?? ''}/${name}`;
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.objects.get(this.key(resource, namespace, name));
    return o && structuredClone(o);
  }

  list(resource: string, namespace?: string): KubeObject[] {
    return [...this.objects.entries()]
      .filter(([k]) => k.startsWith(`${resource}/`) && (namespace === undefined || k.split('/')[1] === namespace))
      .map(([, o]) => structuredClone(o));
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  onChange(listener: (resource: string, e: WatchEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stores an object, bumping resourceVersion (and generation when the spec changed). */
  put(resource: string, obj: KubeObject): KubeObject {
    const k = this.key(resource, obj.metadata.namespace, obj.metadata.name);
    const before = this.objects.get(k);
    const o = withoutNulls(structuredClone(obj)) as KubeObject;
    o.metadata.uid ??= before?.metadata.uid ?? randomUUID();
    o.metadata.creationTimestamp ??=
      before?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    o.metadata.resourceVersion = String(++this.rv);
    if (resource === 'deployments' || resource === 'replicasets') {
      const specChanged = !before || JSON.stringify(before.spec) !== JSON.stringify(o.spec);
      o.metadata.generation = (before?.metadata.generation ?? 0) + (specChanged ? 1 : 0);
    }
    this.objects.set(k, o);
    for (const l of this.listeners) l(resource, { type: before ? 'MODIFIED' : 'ADDED', object: structuredClone(o) });
    if (resource === 'deployments' && (!before || JSON.stringify(before.spec) !== JSON.stringify(o.spec)))
      this.reconcile(o.metadata.namespace!, o.metadata.name);
    return structuredClone(o);
  }

  remove(resource: string, namespace: string | undefined, name: string): void {
    const k = this.key(resource, namespace, name);
    const o = this.objects.get(k);
    if (!o) return;
    this.objects.delete(k);
    for (const l of this.listeners) l(resource, { type: 'DELETED', object: o });
  }

  /** Seeds a deployment the way `kubectl create deployment` would, already rolled out. */
  addDeployment(
    namespace: string,
    name: string,
    opts: { image: string; replicas?: number; env?: { name: string; value: string }[]; memory?: string } = {
      image: 'nginx:1.27',
    },
  ): KubeObject {
    if (!this.get('namespaces', undefined, namespace))
      this.put('namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: namespace },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      });
    const labels = { app: name };
    const container: any = {
      name,
      image: opts.image,
      imagePullPolicy: 'IfNotPresent',
      resources: opts.memory ? { limits: { memory: opts.memory } } : {},
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
    };
    if (opts.env) container.env = opts.env;
    return this.put('deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace, labels },
      spec: {
        replicas: opts.replicas ?? 3,
        selector: { matchLabels: labels },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
        template: {
          metadata: { labels },
          spec: {
            containers: [container],
            restartPolicy: 'Always',
            dnsPolicy: 'ClusterFirst',
            schedulerName: 'default-scheduler',
            terminationGracePeriodSeconds: 30,
          },
        },
      },
      status: {},
    });
  }

  private owned(namespace: string, deployment: KubeObject): KubeObject[] {
    return this.list('replicasets', namespace).filter((rs) =>
      rs.metadata.ownerReferences?.some((r: any) => r.uid === deployment.metadata.uid),
    );
  }

  private event(namespace: string, involved: KubeObject, reason: string, message: string): void {
    const name = `${involved.metadata.name}.${Date.now().toString(16)}${Math.floor(Math.random() * 1e6).toString(16)}`;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    this.put('events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        kind: involved.kind,
        namespace,
        name: involved.metadata.name,
        uid: involved.metadata.uid,
        apiVersion: involved.apiVersion,
        resourceVersion: involved.metadata.resourceVersion,
      },
      reason,
      message,
      source: { component: 'deployment-controller' },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type: 'Normal',
      eventTime: null,
      reportingComponent: 'deployment-controller',
      reportingInstance: '',
    });
  }

  /** The deployment controller: pick or make the ReplicaSet for the current template, then roll. */
  private reconcile(namespace: string, name: string): void {
    const d = this.objects.get(this.key('deployments', namespace, name));
    if (!d) return;
    if (d.spec.paused) {
      this.refreshStatus(namespace, name);
      return;
    }
    const sets = this.owned(namespace, d);
    const maxRevision = Math.max(0, ...sets.map((rs) => Number(rs.metadata.annotations?.[REVISION] ?? 0)));
    const key = templateKey(d.spec.template);
    let current = sets.find((rs) => templateKey(rs.spec.template) === key);
    if (!current) {
      const hash = shortHash(`${key}${maxRevision}`);
      const template = structuredClone(d.spec.template);
      template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [HASH]: hash } };
      current = this.put('replicasets', {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `${name}-${hash}`,
          namespace,
          labels: { ...d.spec.template.metadata?.labels, [HASH]: hash },
          annotations: {
            [REVISION]: String(maxRevision + 1),
            'deployment.kubernetes.io/desired-replicas': String(d.spec.replicas),
            'deployment.kubernetes.io/max-replicas': String(d.spec.replicas + 1),
          },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name,
              uid: d.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: { replicas: 0, selector: { matchLabels: { ...d.spec.selector.matchLabels, [HASH]: hash } }, template },
        status: { replicas: 0, fullyLabeledReplicas: 0, readyReplicas: 0, availableReplicas: 0, observedGeneration: 1 },
      });
      this.event(
        namespace,
        d,
        'ScalingReplicaSet',
        `Scaled up replica set ${current.metadata.name} from 0 to ${d.spec.replicas}`,
      );
    } else if (Number(current.metadata.annotations?.[REVISION]) !== maxRevision) {
      current.metadata.annotations = { ...current.metadata.annotations, [REVISION]: String(maxRevision + 1) };
      current = this.put('replicasets', current);
    }
    const dep = this.objects.get(this.key('deployments', namespace, name))!;
    if (dep.metadata.annotations?.[REVISION] !== current.metadata.annotations![REVISION]) {
      dep.metadata.annotations = { ...dep.metadata.annotations, [REVISION]: current.metadata.annotations![REVISION]! };
      dep.metadata.resourceVersion = String(++this.rv);
    }
    for (const rs of this.owned(namespace, dep)) {
      const want = rs.metadata.name === current.metadata.name ? dep.spec.replicas : 0;
      if (rs.spec.replicas !== want) this.put('replicasets', { ...rs, spec: { ...rs.spec, replicas: want } });
    }
    this.refreshStatus(namespace, name, true);
    this.schedule(namespace, name);
  }

  private timers = new Set<NodeJS.Timeout>();

  private schedule(namespace: string, name: string): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.stalled) return this.schedule(namespace, name);
      if (this.step(namespace, name)) this.schedule(namespace, name);
    }, this.stepMs);
    t.unref();
    this.timers.add(t);
  }

  /** Moves each ReplicaSet one pod towards its desired count; true while anything is still moving. */
  private step(namespace: string, name: string): boolean {
    const d = this.objects.get(this.key('deployments', namespace, name));
    if (!d) return false;
    let moving = false;
    for (const rs of this.owned(namespace, d)) {
      const have = rs.status?.replicas ?? 0;
      if (have === rs.spec.replicas) continue;
      moving = true;
      const next = have + (rs.spec.replicas > have ? 1 : -1);
      this.put('replicasets', {
        ...rs,
        status: {
          replicas: next,
          fullyLabeledReplicas: next,
          readyReplicas: next,
          availableReplicas: next,
          observedGeneration: rs.metadata.generation,
        },
      });
      this.syncPods(namespace, rs, next);
    }
    this.refreshStatus(namespace, name);
    return moving;
  }

  private syncPods(namespace: string, rs: KubeObject, count: number): void {
    const pods = this.list('pods', namespace).filter((p) =>
      p.metadata.ownerReferences?.some((r: any) => r.uid === rs.metadata.uid),
    );
    for (const p of pods.slice(count)) this.remove('pods', namespace, p.metadata.name);
    for (let n = pods.length; n < count; n++) {
      const suffix = Math.random().toString(36).slice(2, 7);
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      this.put('pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${rs.metadata.name}-${suffix}`,
          namespace,
          labels: rs.spec.template.metadata.labels,
          annotations: rs.spec.template.metadata.annotations ?? {},
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: rs.metadata.name,
              uid: rs.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: structuredClone(rs.spec.template.spec),
        status: {
          phase: 'Running',
          startTime: now,
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
          containerStatuses: rs.spec.template.spec.containers.map((c: any) => ({
            name: c.name,
            image: c.image,
            imageID: `docker.io/library/${c.image}@sha256:${createHash('sha256').update(c.image).digest('hex')}`,
            containerID: `containerd://${createHash('sha256')
              .update(suffix + c.name)
              .digest('hex')}`,
            ready: true,
            restartCount: 0,
            started: true,
            state: { running: { startedAt: now } },
          })),
        },
      });
    }
  }

  /** The deployment's status as the controller reports it; `fresh` marks a new rollout as progressing. */
  private refreshStatus(namespace: string, name: string, fresh = false): void {
    const d = this.objects.get(this.key('deployments', namespace, name));
    if (!d) return;
    const sets = this.owned(namespace, d);
    const current = sets.find((rs) => templateKey(rs.spec.template) === templateKey(d.spec.template));
    const sum = (f: (rs: KubeObject) => number) => sets.reduce((n, rs) => n + f(rs), 0);
    const replicas = sum((rs) => rs.status?.replicas ?? 0);
    const updated = current?.status?.replicas ?? 0;
    const available = sum((rs) => rs.status?.availableReplicas ?? 0);
    const done = !fresh && updated === d.spec.replicas && replicas === d.spec.replicas && available === d.spec.replicas;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const rsName = current?.metadata.name ?? name;
    const progressing = d.spec.paused
      ? { type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' }
      : done
        ? {
            type: 'Progressing',
            status: 'True',
            reason: 'NewReplicaSetAvailable',
            message: `ReplicaSet "${rsName}" has successfully progressed.`,
          }
        : {
            type: 'Progressing',
            status: 'True',
            reason: 'ReplicaSetUpdated',
            message: `ReplicaSet "${rsName}" is progressing.`,
          };
    const minAvailable = Math.max(0, d.spec.replicas - Math.floor(d.spec.replicas * 0.25));
    const status = {
      observedGeneration: d.metadata.generation,
      replicas,
      updatedReplicas: updated,
      readyReplicas: available,
      availableReplicas: available,
      ...(replicas - available > 0 && { unavailableReplicas: replicas - available }),
      conditions: [
        {
          type: 'Available',
          status: available >= minAvailable ? 'True' : 'False',
          reason: available >= minAvailable ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
          message:
            available >= minAvailable
              ? 'Deployment has minimum availability.'
              : 'Deployment does not have minimum availability.',
          lastUpdateTime: now,
          lastTransitionTime: now,
        },
        { ...progressing, lastUpdateTime: now, lastTransitionTime: now },
      ],
    };
    if (JSON.stringify(d.status) === JSON.stringify(status)) return;
    const next = { ...d, status };
    next.metadata = { ...d.metadata, resourceVersion: String(++this.rv) };
    this.objects.set(this.key('deployments', namespace, name), next);
    for (const l of this.listeners) l('deployments', { type: 'MODIFIED', object: structuredClone(next) });
  }

  /** Stops the controller's timers. */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

export type { Json };
