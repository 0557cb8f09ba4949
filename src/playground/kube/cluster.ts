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

const stampNow = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** A deployment condition as util.NewDeploymentCondition makes it: both times now. */
function condition(type: string, status: string, reason: string, message: string): any {
  const now = stampNow();
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

/**
 * deployment_util.go SetDeploymentCondition: nothing changes when the status and reason are the
 * same; lastTransitionTime is kept while the status is the same; the condition moves to the end.
 */
function setCondition(status: { conditions: any[] }, c: any): void {
  const current = status.conditions.find((x) => x.type === c.type);
  if (current && current.status === c.status && current.reason === c.reason) return;
  if (current && current.status === c.status) c.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...status.conditions.filter((x) => x.type !== c.type), c];
}

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
/**
 * Whether two specs are the same as the API server judges it (apiequality.Semantic.DeepEqual):
 * key order never counts. The generation moves only when this is false.
 */
export function sameSpec(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a ?? null)) === JSON.stringify(sortKeys(b ?? null));
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
    // Any change of the spec (a pod-template annotation included, as `kubectl rollout restart` writes)
    // moves the generation; status and metadata writes never do.
    const specChanged = !before || !sameSpec(before.spec, o.spec);
    if (resource === 'deployments' || resource === 'replicasets')
      o.metadata.generation = (before?.metadata.generation ?? 0) + (specChanged ? 1 : 0);
    this.objects.set(k, o);
    for (const l of this.listeners) l(resource, { type: before ? 'MODIFIED' : 'ADDED', object: structuredClone(o) });
    if (resource === 'deployments' && specChanged) this.reconcile(o.metadata.namespace!, o.metadata.name);
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

  private event(namespace: string, involved: KubeObject, reason: string, message: string, type = 'Normal'): void {
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
      source: { component: involved.kind === 'Pod' ? 'kubelet' : 'deployment-controller' },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: involved.kind === 'Pod' ? 'kubelet' : 'deployment-controller',
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
    const rollout = !current || current.spec.replicas === 0;
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
      // A metadata write like any other: watchers see it; the generation stays.
      for (const l of this.listeners) l('deployments', { type: 'MODIFIED', object: structuredClone(dep) });
    }
    for (const rs of this.owned(namespace, dep)) {
      const want = rs.metadata.name === current.metadata.name ? dep.spec.replicas : 0;
      if (rs.spec.replicas !== want) this.put('replicasets', { ...rs, spec: { ...rs.spec, replicas: want } });
    }
    this.refreshStatus(
      namespace,
      name,
      rollout
        ? {
            reason: sets.includes(current) ? 'FoundNewReplicaSet' : 'NewReplicaSetCreated',
            message: `${sets.includes(current) ? 'Found new' : 'Created new'} replica set "${current.metadata.name}"`,
          }
        : undefined,
    );
    this.schedule(namespace, name);
  }

  private readonly timers = new Set<NodeJS.Timeout>();

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
      this.syncPods(namespace, rs, have + (rs.spec.replicas > have ? 1 : -1));
      this.countPods(namespace, rs);
    }
    this.refreshStatus(namespace, name);
    return moving;
  }

  private podsOf(namespace: string, rs: KubeObject): KubeObject[] {
    return this.list('pods', namespace).filter((p) =>
      p.metadata.ownerReferences?.some((r: any) => r.uid === rs.metadata.uid),
    );
  }

  /** The ReplicaSet controller's status: its pods counted, ready ones as available (minReadySeconds 0). */
  private countPods(namespace: string, rs: KubeObject): void {
    const pods = this.podsOf(namespace, rs);
    const ready = pods.filter((p) => p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
    const status = {
      replicas: pods.length,
      fullyLabeledReplicas: pods.length,
      readyReplicas: ready.length,
      availableReplicas: ready.length,
      observedGeneration: rs.metadata.generation,
    };
    if (JSON.stringify(rs.status) !== JSON.stringify(status)) this.put('replicasets', { ...rs, status });
  }

  private syncPods(namespace: string, rs: KubeObject, count: number): void {
    const pods = this.podsOf(namespace, rs);
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

  /**
   * The deployment's status as the deployment controller writes it (sync.go calculateStatus,
   * progress.go syncRolloutStatus): a condition is rewritten only when its status or reason
   * changes, keeping lastTransitionTime while its status holds (SetDeploymentCondition); the
   * Progressing condition alone refreshes lastUpdateTime when the rollout makes progress. The
   * status is written only when it changed, and every write moves resourceVersion.
   * `newRollout` is the condition a new ReplicaSet (or an old one brought back) gets.
   */
  private refreshStatus(namespace: string, name: string, newRollout?: { reason: string; message: string }): void {
    const d = this.objects.get(this.key('deployments', namespace, name));
    if (!d) return;
    const sets = this.owned(namespace, d);
    const current = sets.find((rs) => templateKey(rs.spec.template) === templateKey(d.spec.template));
    const sum = (f: (rs: KubeObject) => number) => sets.reduce((n, rs) => n + f(rs), 0);
    const replicas = sum((rs) => rs.status?.replicas ?? 0);
    const updated = current?.status?.replicas ?? 0;
    const ready = sum((rs) => rs.status?.readyReplicas ?? 0);
    const available = sum((rs) => rs.status?.availableReplicas ?? 0);
    const old = d.status ?? {};
    const status: any = {
      observedGeneration: d.metadata.generation,
      replicas,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: available,
      ...(replicas - available > 0 && { unavailableReplicas: replicas - available }),
      conditions: structuredClone(old.conditions ?? []),
    };
    const want = d.spec.replicas;
    const minAvailable = Math.max(0, want - Math.floor(want * 0.25));
    setCondition(
      status,
      available >= minAvailable
        ? condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
        : condition(
            'Available',
            'False',
            'MinimumReplicasUnavailable',
            'Deployment does not have minimum availability.',
          ),
    );
    const rsName = current?.metadata.name ?? name;
    const progressing = status.conditions.find((c: any) => c.type === 'Progressing');
    if (d.spec.paused)
      setCondition(status, condition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused'));
    else if (newRollout) setCondition(status, condition('Progressing', 'True', newRollout.reason, newRollout.message));
    else if (!(replicas === updated && progressing?.reason === 'NewReplicaSetAvailable')) {
      const complete = updated === want && replicas === want && available === want;
      const progressed =
        updated > (old.updatedReplicas ?? 0) ||
        replicas - updated < (old.replicas ?? 0) - (old.updatedReplicas ?? 0) ||
        ready > (old.readyReplicas ?? 0) ||
        available > (old.availableReplicas ?? 0);
      if (complete)
        setCondition(
          status,
          condition(
            'Progressing',
            'True',
            'NewReplicaSetAvailable',
            `ReplicaSet "${rsName}" has successfully progressed.`,
          ),
        );
      else if (progressed) {
        const c = condition('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`);
        if (progressing?.status === 'True') c.lastTransitionTime = progressing.lastTransitionTime;
        status.conditions = status.conditions.filter((x: any) => x.type !== 'Progressing');
        setCondition(status, c);
      }
    }
    if (JSON.stringify(d.status) === JSON.stringify(status)) return;
    const next = { ...d, status };
    next.metadata = { ...d.metadata, resourceVersion: String(++this.rv) };
    this.objects.set(this.key('deployments', namespace, name), next);
    for (const l of this.listeners) l('deployments', { type: 'MODIFIED', object: structuredClone(next) });
  }

  /** A pod's readiness probe starts failing (`false`) or passing again, as the kubelet reports it. */
  setPodReady(namespace: string, pod: string, ready: boolean): void {
    const p = this.get('pods', namespace, pod);
    if (!p) throw new Error(`no pod ${namespace}/${pod}`);
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const flag = ready ? 'True' : 'False';
    for (const type of ['Ready', 'ContainersReady']) {
      const c = p.status.conditions.find((x: any) => x.type === type);
      if (!c) p.status.conditions.push({ type, status: flag, lastTransitionTime: now });
      else if (c.status !== flag) Object.assign(c, { status: flag, lastTransitionTime: now });
    }
    for (const cs of p.status.containerStatuses) cs.ready = ready;
    this.put('pods', p);
    this.podChanged(namespace, p);
  }

  /** A container of the pod is killed (OOMKilled, Error…) and restarted by the kubelet. */
  crashPod(namespace: string, pod: string, reason = 'OOMKilled', exitCode = 137): void {
    const p = this.get('pods', namespace, pod);
    if (!p) throw new Error(`no pod ${namespace}/${pod}`);
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const cs = p.status.containerStatuses[0];
    cs.lastState = {
      terminated: {
        exitCode,
        reason,
        startedAt: cs.state?.running?.startedAt ?? now,
        finishedAt: now,
        containerID: cs.containerID,
      },
    };
    cs.restartCount += 1;
    cs.state = { running: { startedAt: now } };
    this.put('pods', p);
    this.podChanged(namespace, p);
  }

  /**
   * Status churn: every `everyMs`, one pod of the deployment fails its readiness probe or
   * recovers, as during an incident. Each flap writes pod, ReplicaSet and deployment status.
   */
  churn(namespace: string, deployment: string, everyMs = 25): () => void {
    let n = 0;
    const timer = setInterval(() => {
      const d = this.objects.get(this.key('deployments', namespace, deployment));
      const pods = d
        ? this.list('pods', namespace).filter((p) => p.metadata.labels?.app === d.spec.selector.matchLabels.app)
        : [];
      const p = pods[n++ % Math.max(1, pods.length)];
      if (!p) return;
      const ready = p.status.conditions.some((c: any) => c.type === 'Ready' && c.status === 'True');
      this.setPodReady(namespace, p.metadata.name, !ready);
    }, everyMs);
    timer.unref();
    this.timers.add(timer);
    return () => {
      clearInterval(timer);
      this.timers.delete(timer);
      for (const p of this.list('pods', namespace))
        if (!p.status.conditions.some((c: any) => c.type === 'Ready' && c.status === 'True'))
          this.setPodReady(namespace, p.metadata.name, true);
    };
  }

  /** Edits a ReplicaSet's pod template behind the controller's back (as `kubectl edit rs` would). */
  editReplicaSet(namespace: string, name: string, edit: (template: any) => void): KubeObject {
    const rs = this.get('replicasets', namespace, name);
    if (!rs) throw new Error(`no ReplicaSet ${namespace}/${name}`);
    edit(rs.spec.template);
    return this.put('replicasets', rs);
  }

  /** Adds an autoscaling/v2 HPA on CPU utilisation for the deployment, with the status the HPA controller reports. */
  addAutoscaler(
    namespace: string,
    deployment: string,
    opts: { min: number; max: number; cpuTarget: number; cpuNow?: number },
  ): KubeObject {
    const d = this.get('deployments', namespace, deployment)!;
    const now = stampNow();
    const limited = d.spec.replicas >= opts.max;
    const cond = (type: string, status: string, reason: string, message: string) => ({
      type,
      status,
      lastTransitionTime: now,
      reason,
      message,
    });
    return this.put('horizontalpodautoscalers', {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: deployment, namespace },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment },
        minReplicas: opts.min,
        maxReplicas: opts.max,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: opts.cpuTarget } },
          },
        ],
      },
      status: {
        currentReplicas: d.spec.replicas,
        desiredReplicas: d.spec.replicas,
        ...(opts.cpuNow !== undefined && {
          currentMetrics: [
            {
              type: 'Resource',
              resource: {
                name: 'cpu',
                current: { averageUtilization: opts.cpuNow, averageValue: `${opts.cpuNow * 5}m` },
              },
            },
          ],
        }),
        conditions: [
          cond('AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size'),
          cond(
            'ScalingActive',
            'True',
            'ValidMetricFound',
            'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
          ),
          limited
            ? cond(
                'ScalingLimited',
                'True',
                'TooManyReplicas',
                'the desired replica count is more than the maximum replica count',
              )
            : cond('ScalingLimited', 'False', 'DesiredWithinRange', 'the desired count is within the acceptable range'),
        ],
      },
    });
  }

  /** Records an event about `involved`, as a controller or the kubelet would. */
  addEvent(namespace: string, involved: KubeObject, reason: string, message: string, type = 'Warning'): void {
    this.event(namespace, involved, reason, message, type);
  }

  private podChanged(namespace: string, pod: KubeObject): void {
    const owner = pod.metadata.ownerReferences?.[0];
    const rs = owner && this.list('replicasets', namespace).find((r) => r.metadata.uid === owner.uid);
    if (!rs) return;
    this.countPods(namespace, rs);
    const dep = rs.metadata.ownerReferences?.[0];
    if (dep) this.refreshStatus(namespace, dep.name);
  }

  /** Stops the controller's timers. */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

export type { Json };
