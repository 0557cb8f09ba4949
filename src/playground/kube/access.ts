import { ApiError } from './api-error.js';
import type { Route } from './routes.js';

/** One rule of an RBAC Role: API groups, resources (`deployments/scale`), verbs, and optionally object names. */
export interface Rule {
  readonly apiGroups?: readonly string[];
  readonly verbs: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames?: readonly string[];
}

/** What a bearer token may do; absent means everything. */
export interface Grant {
  readonly verbs: readonly string[];
  readonly resources: readonly string[];
  readonly namespaces?: readonly string[];
  /** Rules as in an RBAC Role: a request is allowed when one rule allows both its verb and its resource. */
  readonly rules?: readonly Rule[];
  /** Roles bound in one namespace each (RoleBindings): a request in a namespace is checked against that namespace's rules. */
  readonly roles?: readonly { readonly namespace: string; readonly rules: readonly Rule[] }[];
}

/** Throws the API server's 403 when `grant` (absent: everything) does not allow the request. */
export function authorize(grant: Grant | undefined, method: string, route: Route, url: URL): void {
  if (!grant) return;
  const verb =
    method === 'GET'
      ? url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1'
        ? 'watch'
        : route.name
          ? 'get'
          : 'list'
      : method === 'PATCH'
        ? 'patch'
        : method === 'PUT'
          ? 'update'
          : method === 'POST'
            ? 'create'
            : 'delete';
  const resource = route.sub ? `${route.info.name}/${route.sub}` : route.info.name;
  // RBAC checks resourceNames on a list or watch only through a metadata.name field selector.
  const named =
    route.name ??
    (verb === 'list' || verb === 'watch'
      ? /(?:^|,)metadata\.name=([^,]+)/.exec(url.searchParams.get('fieldSelector') ?? '')?.[1]
      : undefined);
  const allows = (r: Rule) =>
    r.verbs.includes(verb) &&
    r.resources.includes(resource) &&
    (!r.apiGroups || r.apiGroups.includes(route.info.group)) &&
    (!r.resourceNames || (named !== undefined && r.resourceNames.includes(named)));
  const byRule = grant.roles
    ? grant.roles.some((role) => role.namespace === route.namespace && role.rules.some(allows))
    : grant.rules
      ? grant.rules.some(allows)
      : grant.verbs.includes(verb) && grant.resources.includes(resource);
  const allowed =
    byRule && (!grant.namespaces || (route.namespace !== undefined && grant.namespaces.includes(route.namespace)));
  if (!allowed) {
    const group = route.info.group ? `.${route.info.group}` : '';
    throw new ApiError(
      403,
      'Forbidden',
      `${route.info.name}${group}${route.name ? ` "${route.name}"` : ''} is forbidden: User "system:serviceaccount:firebreak:firebreak" cannot ${verb} resource "${route.info.name}"${route.sub ? ` subresource "${route.sub}"` : ''} in API group "${route.info.group}"${route.namespace ? ` in the namespace "${route.namespace}"` : ''}`,
      { name: route.name, group: route.info.group, kind: route.info.name },
    );
  }
}
