import { RESOURCES, type ResourceInfo, resourceFor } from './discovery.js';

/** A request path taken apart: the resource, and the namespace, object name and subresource when given. */
export interface Route {
  info: ResourceInfo;
  namespace?: string;
  name?: string;
  sub?: string;
}

/** `/api/v1/namespaces/ns/pods/name/log`, `/apis/apps/v1/namespaces/ns/deployments/name/scale`, cluster-wide lists. */
export function parseResourcePath(path: string): Route | undefined {
  const m =
    /^\/(?:api\/v1|apis\/([a-z0-9.-]+)\/(v1|v2|v1beta1))(?:\/namespaces\/([a-z0-9-]+))?\/([a-z]+)(?:\/([a-z0-9.-]+))?(?:\/([a-z]+))?$/.exec(
      path,
    );
  if (!m) {
    const ns = /^\/api\/v1\/namespaces(?:\/([a-z0-9-]+))?$/.exec(path);
    return ns ? { info: RESOURCES.namespaces!, ...(ns[1] && { name: ns[1] }) } : undefined;
  }
  const [, group = '', version = 'v1', namespace, plural, name, sub] = m;
  const info = resourceFor(group, version, plural!);
  if (!info || (sub && !info.subresources.includes(sub))) return undefined;
  return { info, ...(namespace && { namespace }), ...(name && { name }), ...(sub && { sub }) };
}
