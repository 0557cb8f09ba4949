import { randomUUID } from 'node:crypto';

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

export const stampNow = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export function sortKeys(v: any): any {
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

/**
 * The objects of a fake cluster as etcd and the API server keep them: every write moves
 * resourceVersion, a spec change moves a deployment's or ReplicaSet's generation, and
 * watchers hear of each write.
 */
export class ObjectStore {
  protected readonly objects = new Map<string, KubeObject>();
  protected readonly listeners = new Set<(resource: string, e: WatchEvent) => void>();
  protected rv = 1000;

  key(resource: string, namespace: string | undefined, name: string): string {
    return `${resource}/${namespace ?? ''}/${name}`;
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.objects.get(this.key(resource, namespace, name));
    return o && structuredClone(o);
  }

  /** Copies of the objects of `resource` (in `namespace`) that `where` accepts: only those are copied. */
  list(resource: string, namespace?: string, where?: (o: Readonly<KubeObject>) => boolean | undefined): KubeObject[] {
    return [...this.objects.entries()]
      .filter(
        ([k, o]) =>
          k.startsWith(`${resource}/`) &&
          (namespace === undefined || k.split('/')[1] === namespace) &&
          (!where || where(o)),
      )
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
    if (specChanged) this.specChanged(resource, o);
    return structuredClone(o);
  }

  /** Called after a write that changed (or created) an object's spec; the deployment controller listens here. */
  protected specChanged(_resource: string, _o: KubeObject): void {}

  remove(resource: string, namespace: string | undefined, name: string): void {
    const k = this.key(resource, namespace, name);
    const o = this.objects.get(k);
    if (!o) return;
    this.objects.delete(k);
    for (const l of this.listeners) l(resource, { type: 'DELETED', object: o });
  }
}
