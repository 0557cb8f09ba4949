import { ApiError } from './api-error.js';
import type { FakeCluster } from './cluster.js';
import { type Json, jsonPatch, mergePatch, strategicMergePatch } from './patch.js';
import type { Route } from './routes.js';
import { type KubeObject, sameSpec } from './store.js';

const PATCH_TYPES: Record<string, (target: Json, patch: Json) => Json> = {
  'application/merge-patch+json': mergePatch,
  'application/strategic-merge-patch+json': (t, p) => strategicMergePatch(t, p),
  'application/json-patch+json': jsonPatch,
};

/**
 * A PATCH (in one of the three patch content types) or PUT of `current`, or of its scale or
 * status subresource: checked as the API server checks it (415, 400, 409 on a stale
 * resourceVersion, 422), then stored, or only shown when `dryRun`. Answers what the server sends back.
 */
export function writeObject(
  cluster: FakeCluster,
  method: string,
  route: Route,
  current: KubeObject,
  raw: string,
  contentType: string,
  dryRun: boolean,
): KubeObject {
  const { info, name, sub } = route;
  let body: Json;
  try {
    body = JSON.parse(raw) as Json;
  } catch {
    throw new ApiError(
      400,
      'BadRequest',
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    );
  }
  const base = (sub === 'scale' ? toScale(current) : current) as unknown as Json;
  let next: Json;
  if (method === 'PATCH') {
    const apply = PATCH_TYPES[contentType];
    if (!apply)
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
      );
    if (contentType !== 'application/json-patch+json' && Array.isArray(body))
      throw new ApiError(
        400,
        'BadRequest',
        'json: cannot unmarshal array into Go value of type map[string]interface {}',
      );
    next = apply(structuredClone(base), body);
  } else {
    if (contentType !== 'application/json')
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`,
      );
    next = body;
  }
  const obj = next as unknown as KubeObject;
  const wanted = obj.metadata?.resourceVersion;
  if (wanted && wanted !== current.metadata.resourceVersion) {
    throw new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${info.name}${info.group ? `.${info.group}` : ''} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, group: info.group, kind: info.name },
    );
  }
  // The status subresource changes status only, and the main resource never changes it.
  const updated =
    sub === 'scale'
      ? fromScale(current, obj)
      : sub === 'status'
        ? { ...current, status: obj.status }
        : {
            ...obj,
            status: current.status,
            metadata: {
              ...obj.metadata,
              name: current.metadata.name,
              namespace: current.metadata.namespace,
              uid: current.metadata.uid,
              resourceVersion: current.metadata.resourceVersion,
            },
          };
  validate(info.name, updated);
  const saved = dryRun ? dryRunResult(current, updated) : cluster.put(info.name, updated);
  return sub === 'scale' ? toScale(saved) : saved;
}

export function toScale(d: KubeObject): KubeObject {
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: d.metadata.name,
      namespace: d.metadata.namespace,
      uid: d.metadata.uid,
      resourceVersion: d.metadata.resourceVersion,
      creationTimestamp: d.metadata.creationTimestamp,
    },
    spec: { replicas: d.spec.replicas },
    status: {
      replicas: d.status?.replicas ?? 0,
      selector: Object.entries(d.spec.selector.matchLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    },
  };
}

function fromScale(d: KubeObject, scale: KubeObject): KubeObject {
  return { ...d, spec: { ...d.spec, replicas: scale.spec?.replicas } };
}

function validate(resource: string, o: KubeObject): void {
  if (resource === 'deployments') {
    const r = o.spec?.replicas;
    if (!Number.isInteger(r) || r < 0)
      throw new ApiError(
        422,
        'Invalid',
        `Deployment.apps "${o.metadata.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(r)}: must be greater than or equal to 0`,
      );
    if (
      !Array.isArray(o.spec?.template?.spec?.containers) ||
      !o.spec.template.spec.containers.every((c: any) => typeof c.image === 'string' && c.image)
    ) {
      throw new ApiError(
        422,
        'Invalid',
        `Deployment.apps "${o.metadata.name}" is invalid: spec.template.spec.containers: Required value`,
      );
    }
  }
}

/** What the server answers to `dryRun=All`: the object as it would be, stored nowhere. */
function dryRunResult(current: KubeObject, updated: KubeObject): KubeObject {
  const specChanged = !sameSpec(current.spec, updated.spec);
  return {
    ...updated,
    metadata: { ...updated.metadata, generation: (current.metadata.generation ?? 1) + (specChanged ? 1 : 0) },
    status: current.status,
  };
}
