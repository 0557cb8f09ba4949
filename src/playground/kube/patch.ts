/** The three patch formats the Kubernetes API server accepts, as it applies them. */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** RFC 7386 JSON merge patch: maps merge, `null` deletes, anything else replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return patch;
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k] ?? null, v);
  }
  return out;
}

/** Lists the API server merges by key instead of replacing (patchMergeKey in the Go types). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  conditions: 'type',
};

/** Strategic merge patch: like a merge patch, but keyed lists merge element by element. */
export function strategicMergePatch(target: Json, patch: Json, field = ''): Json {
  if (Array.isArray(patch)) {
    const key = MERGE_KEYS[field];
    if (!key || !Array.isArray(target)) return patch.filter((p) => !(isObj(p) && '$patch' in p));
    const out = [...target];
    for (const item of patch) {
      if (!isObj(item)) continue;
      const at = out.findIndex((t) => isObj(t) && t[key] === item[key]);
      if (item.$patch === 'delete') {
        if (at >= 0) out.splice(at, 1);
      } else if (at >= 0) out[at] = strategicMergePatch(out[at]!, item);
      else out.push(item);
    }
    return out;
  }
  if (!isObj(patch)) return patch;
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k.startsWith('$setElementOrder') || k.startsWith('$retainKeys')) continue;
    if (v === null) delete out[k];
    else out[k] = strategicMergePatch(out[k] ?? null, v, k);
  }
  return out;
}

/** A request that cannot be applied; `code` is the HTTP status the API server answers. */
export class PatchError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const unescapePointer = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');

/** RFC 6902 JSON patch: add, remove, replace, test (the operations kubectl sends). */
export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops))
    throw new PatchError(400, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = structuredClone(target);
  for (const op of ops) {
    if (!isObj(op) || typeof op.op !== 'string' || typeof op.path !== 'string')
      throw new PatchError(400, 'the server rejected our request due to an error in our request');
    const parts = op.path.split('/').slice(1).map(unescapePointer);
    const last = parts.pop();
    if (last === undefined) {
      if (op.op === 'replace' || op.op === 'add') doc = structuredClone(op.value ?? null);
      continue;
    }
    let parent: Json = doc;
    for (const p of parts) {
      parent = Array.isArray(parent) ? (parent[Number(p)] ?? null) : isObj(parent) ? (parent[p] ?? null) : null;
      if (parent === null)
        throw new PatchError(422, `jsonpatch ${op.op} operation does not apply: doc is missing path: ${op.path}`);
    }
    const container = parent as Obj | Json[];
    switch (op.op) {
      case 'add':
      case 'replace':
        if (
          op.op === 'replace' &&
          (Array.isArray(container) ? container[Number(last)] === undefined : !(last in container))
        ) {
          throw new PatchError(422, `jsonpatch replace operation does not apply: doc is missing key: ${op.path}`);
        }
        if (Array.isArray(container)) {
          if (last === '-') container.push(structuredClone(op.value ?? null));
          else if (op.op === 'add') container.splice(Number(last), 0, structuredClone(op.value ?? null));
          else container[Number(last)] = structuredClone(op.value ?? null);
        } else container[last] = structuredClone(op.value ?? null);
        break;
      case 'remove':
        if (Array.isArray(container)) container.splice(Number(last), 1);
        else if (last in container) delete container[last];
        else throw new PatchError(422, `jsonpatch remove operation does not apply: doc is missing path: ${op.path}`);
        break;
      case 'test': {
        const actual = Array.isArray(container) ? container[Number(last)] : container[last];
        if (JSON.stringify(actual) !== JSON.stringify(op.value))
          throw new PatchError(422, `testing value ${op.path} failed`);
        break;
      }
      default:
        throw new PatchError(400, `Unexpected kind: ${op.op}`);
    }
  }
  return doc;
}
