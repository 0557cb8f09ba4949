import { type KubeObject, stampNow } from './store.js';

export type DeploymentOptions = {
  image: string;
  replicas?: number;
  env?: { name: string; value: string }[];
  memory?: string;
};

export const namespaceObject = (namespace: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: namespace },
  spec: { finalizers: ['kubernetes'] },
  status: { phase: 'Active' },
});

/** A deployment as `kubectl create deployment` writes it, with the defaults the API server fills in. */
export function deploymentObject(namespace: string, name: string, opts: DeploymentOptions): KubeObject {
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
  return {
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
  };
}

/** An event about `involved`, as the deployment controller or the kubelet records it. */
export function eventObject(
  namespace: string,
  involved: KubeObject,
  reason: string,
  message: string,
  type: string,
): KubeObject {
  const name = `${involved.metadata.name}.${Date.now().toString(16)}${Math.floor(Math.random() * 1e6).toString(16)}`;
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return {
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
  };
}

/** An autoscaling/v2 HPA on CPU utilisation for deployment `d`, with the status the HPA controller reports. */
export function autoscalerObject(
  namespace: string,
  deployment: string,
  d: KubeObject,
  opts: { min: number; max: number; cpuTarget: number; cpuNow?: number },
): KubeObject {
  const now = stampNow();
  const limited = d.spec.replicas >= opts.max;
  const cond = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    lastTransitionTime: now,
    reason,
    message,
  });
  return {
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
  };
}
