import { deploymentStatus } from './deployment-status.js';
import { autoscalerObject, type DeploymentOptions, deploymentObject, eventObject, namespaceObject } from './objects.js';
import type { Json } from './patch.js';
import { isReady, markCrashed, markReady, newPod, replicaSetStatus } from './pods.js';
import { newReplicaSet, REVISION, shortHash, templateKey } from './revisions.js';
import { type KubeObject, ObjectStore } from './store.js';

export { type KubeObject, sameSpec, type WatchEvent } from './store.js';

/**
 * The objects of a fake cluster and a simulated deployment controller that
 * behaves as the real one does where kubectl and the bot can tell: a new
 * ReplicaSet per distinct pod template with a revision annotation, an old one
 * reused on rollback, pods replaced step by step, and status conditions that
 * move over time.
 */
export class FakeCluster extends ObjectStore {
  /** Time between controller steps; rollouts take `replicas` steps. */
  stepMs = 40;
  /** When set, rollouts never finish (for timeout tests). */
  stalled = false;

  protected override specChanged(resource: string, o: KubeObject): void {
    if (resource === 'deployments') this.reconcile(o.metadata.namespace!, o.metadata.name);
  }

  /** Seeds a deployment the way `kubectl create deployment` would, already rolled out. */
  addDeployment(namespace: string, name: string, opts: DeploymentOptions = { image: 'nginx:1.27' }): KubeObject {
    if (!this.get('namespaces', undefined, namespace)) this.put('namespaces', namespaceObject(namespace));
    return this.put('deployments', deploymentObject(namespace, name, opts));
  }

  private owned(namespace: string, deployment: KubeObject): KubeObject[] {
    return this.list('replicasets', namespace, (rs) =>
      rs.metadata.ownerReferences?.some((r: any) => r.uid === deployment.metadata.uid),
    );
  }

  private event(namespace: string, involved: KubeObject, reason: string, message: string, type = 'Normal'): void {
    this.put('events', eventObject(namespace, involved, reason, message, type));
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
      current = this.put('replicasets', newReplicaSet(d, namespace, name, hash, maxRevision + 1));
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
    return this.list('pods', namespace, (p) => p.metadata.ownerReferences?.some((r: any) => r.uid === rs.metadata.uid));
  }

  private countPods(namespace: string, rs: KubeObject): void {
    const status = replicaSetStatus(rs, this.podsOf(namespace, rs));
    if (JSON.stringify(rs.status) !== JSON.stringify(status)) this.put('replicasets', { ...rs, status });
  }

  private syncPods(namespace: string, rs: KubeObject, count: number): void {
    const pods = this.podsOf(namespace, rs);
    for (const p of pods.slice(count)) this.remove('pods', namespace, p.metadata.name);
    for (let n = pods.length; n < count; n++) this.put('pods', newPod(namespace, rs));
  }

  /**
   * Writes the deployment's status (see deploymentStatus) only when it changed; every write
   * moves resourceVersion.
   */
  private refreshStatus(namespace: string, name: string, newRollout?: { reason: string; message: string }): void {
    const d = this.objects.get(this.key('deployments', namespace, name));
    if (!d) return;
    const status = deploymentStatus(d, this.owned(namespace, d), name, newRollout);
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
    markReady(p, ready);
    this.put('pods', p);
    this.podChanged(namespace, p);
  }

  /** A container of the pod is killed (OOMKilled, Error…) and restarted by the kubelet. */
  crashPod(namespace: string, pod: string, reason = 'OOMKilled', exitCode = 137): void {
    const p = this.get('pods', namespace, pod);
    if (!p) throw new Error(`no pod ${namespace}/${pod}`);
    markCrashed(p, reason, exitCode);
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
        ? this.list('pods', namespace, (p) => p.metadata.labels?.app === d.spec.selector.matchLabels.app)
        : [];
      const p = pods[n++ % Math.max(1, pods.length)];
      if (!p) return;
      this.setPodReady(namespace, p.metadata.name, !isReady(p));
    }, everyMs);
    timer.unref();
    this.timers.add(timer);
    return () => {
      clearInterval(timer);
      this.timers.delete(timer);
      for (const p of this.list('pods', namespace, (p) => !isReady(p)))
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
    return this.put('horizontalpodautoscalers', autoscalerObject(namespace, deployment, d, opts));
  }

  /** Records an event about `involved`, as a controller or the kubelet would. */
  addEvent(namespace: string, involved: KubeObject, reason: string, message: string, type = 'Warning'): void {
    this.event(namespace, involved, reason, message, type);
  }

  private podChanged(namespace: string, pod: KubeObject): void {
    const owner = pod.metadata.ownerReferences?.[0];
    const rs = owner && this.list('replicasets', namespace, (r) => r.metadata.uid === owner.uid)[0];
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
