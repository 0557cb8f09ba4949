/** The resources the fake serves, and the discovery documents kubectl reads to find them. */
export interface ResourceInfo {
  readonly name: string;
  readonly singular: string;
  readonly kind: string;
  readonly group: string;
  readonly version: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly verbs: readonly string[];
  readonly subresources: readonly string[];
}

const RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const RESOURCES: Record<string, ResourceInfo> = {
  namespaces: {
    name: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    group: '',
    version: 'v1',
    namespaced: false,
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: [],
  },
  pods: {
    name: 'pods',
    singular: 'pod',
    kind: 'Pod',
    group: '',
    version: 'v1',
    namespaced: true,
    shortNames: ['po'],
    verbs: RW,
    subresources: ['log'],
  },
  events: {
    name: 'events',
    singular: 'event',
    kind: 'Event',
    group: '',
    version: 'v1',
    namespaced: true,
    shortNames: ['ev'],
    verbs: RW,
    subresources: [],
  },
  configmaps: {
    name: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    group: '',
    version: 'v1',
    namespaced: true,
    shortNames: ['cm'],
    verbs: RW,
    subresources: [],
  },
  deployments: {
    name: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    group: 'apps',
    version: 'v1',
    namespaced: true,
    shortNames: ['deploy'],
    verbs: RW,
    subresources: ['scale', 'status'],
  },
  replicasets: {
    name: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    group: 'apps',
    version: 'v1',
    namespaced: true,
    shortNames: ['rs'],
    verbs: RW,
    subresources: ['scale', 'status'],
  },
};

function resourceList(groupVersion: string, group: string) {
  const resources = Object.values(RESOURCES)
    .filter((r) => r.group === group)
    .flatMap((r) => [
      {
        name: r.name,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: r.verbs,
        shortNames: r.shortNames,
        ...(r.group === 'apps' && { categories: ['all'] }),
      },
      ...r.subresources.map((sub) => ({
        name: `${r.name}/${sub}`,
        singularName: '',
        namespaced: r.namespaced,
        ...(sub === 'scale'
          ? { group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] }
          : sub === 'log'
            ? { kind: 'Pod', verbs: ['get'] }
            : { kind: r.kind, verbs: ['get', 'patch', 'update'] }),
      })),
    ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources };
}

/** The discovery document for `path`, or undefined when `path` is not a discovery endpoint. */
export function discovery(path: string, serverUrl: string): unknown {
  switch (path) {
    case '/api':
      return {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: new URL(serverUrl).host }],
      };
    case '/apis':
      return {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [
          {
            name: 'apps',
            versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
            preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
          },
        ],
      };
    case '/api/v1':
      return resourceList('v1', '');
    case '/apis/apps/v1':
      return resourceList('apps/v1', 'apps');
    default:
      return undefined;
  }
}
