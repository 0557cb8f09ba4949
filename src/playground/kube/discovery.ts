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
  horizontalpodautoscalers: {
    name: 'horizontalpodautoscalers',
    singular: 'horizontalpodautoscaler',
    kind: 'HorizontalPodAutoscaler',
    group: 'autoscaling',
    version: 'v2',
    namespaced: true,
    shortNames: ['hpa'],
    verbs: RW,
    subresources: ['status'],
  },
  'metrics.k8s.io/pods': {
    name: 'pods',
    singular: '',
    kind: 'PodMetrics',
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    namespaced: true,
    shortNames: [],
    verbs: ['get', 'list'],
    subresources: [],
  },
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

/** The resource `plural` of `group` at `version`, if the fake serves it. */
export function resourceFor(group: string, version: string, plural: string): ResourceInfo | undefined {
  return Object.values(RESOURCES).find((r) => r.group === group && r.version === version && r.name === plural);
}

const GROUPS = [
  { name: 'apps', version: 'v1' },
  { name: 'autoscaling', version: 'v2' },
  { name: 'metrics.k8s.io', version: 'v1beta1' },
];

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

/**
 * The discovery document for `path`, or undefined when `path` is not a discovery endpoint.
 * metrics.k8s.io is listed only while `metrics` is on, as when metrics-server is installed.
 */
export function discovery(path: string, serverUrl: string, metrics: boolean): unknown {
  const groups = GROUPS.filter((g) => metrics || g.name !== 'metrics.k8s.io');
  if (path === '/api')
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: new URL(serverUrl).host }],
    };
  if (path === '/apis')
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: groups.map((g) => ({
        name: g.name,
        versions: [{ groupVersion: `${g.name}/${g.version}`, version: g.version }],
        preferredVersion: { groupVersion: `${g.name}/${g.version}`, version: g.version },
      })),
    };
  if (path === '/api/v1') return resourceList('v1', '');
  const group = groups.find((g) => path === `/apis/${g.name}/${g.version}`);
  return group ? resourceList(`${group.name}/${group.version}`, group.name) : undefined;
}
