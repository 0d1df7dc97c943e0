// autoscaling/v1 (HorizontalPodAutoscaler, Scale) and autoscaling/v2 (HorizontalPodAutoscaler with metrics).
import type { Definition, Definitions, PropSchema } from './dsl.js';
import {
  LABEL_SELECTOR,
  LIST_META,
  OBJECT_META,
  QUANTITY,
  TIME,
  arr,
  int32,
  int64,
  mergeList,
  obj,
  ref,
  str,
  t,
} from './dsl.js';

const V1 = 'io.k8s.api.autoscaling.v1';
const V2 = 'io.k8s.api.autoscaling.v2';
const atomic = { 'x-kubernetes-list-type': 'atomic' } as const;

function topLevel(
  version: string,
  kind: string,
  description: string,
  props: Record<string, PropSchema>,
): Definition {
  return obj(
    description,
    {
      apiVersion: str(`The versioned schema of this object, here autoscaling/${version}.`),
      kind: str(`The kind of this object, here ${kind}.`),
      metadata: ref(OBJECT_META, "The object's name, namespace, labels and other metadata."),
      ...props,
    },
    { gvk: [{ group: 'autoscaling', version, kind }] },
  );
}

function listOf(pkg: string, version: string, kind: string): Definition {
  return obj(
    `A list of ${kind} objects.`,
    {
      apiVersion: str(`The versioned schema of this list, here autoscaling/${version}.`),
      items: arr(t.ref(`${pkg}.${kind}`), `The ${kind} objects.`),
      kind: str(`The kind of this list, here ${kind}List.`),
      metadata: ref(LIST_META, 'Resource version and continuation token of the list.'),
    },
    { required: ['items'], gvk: [{ group: 'autoscaling', version, kind: `${kind}List` }] },
  );
}

const crossVersionObjectReference = (): Definition =>
  obj(
    'Names the object whose scale subresource an autoscaler drives.',
    {
      apiVersion: str('The group/version of the target, e.g. apps/v1.'),
      kind: str('The kind of the target, e.g. Deployment.'),
      name: str('The name of the target in the same namespace.'),
    },
    { required: ['kind', 'name'] },
  );

const autoscalingV1: Definitions = {
  [`${V1}.HorizontalPodAutoscaler`]: topLevel(
    'v1',
    'HorizontalPodAutoscaler',
    'Scales a workload between bounds to keep average CPU use near a target.',
    {
      spec: ref(`${V1}.HorizontalPodAutoscalerSpec`, 'The desired behaviour of the autoscaler.'),
      status: ref(
        `${V1}.HorizontalPodAutoscalerStatus`,
        'The most recently observed state of the autoscaler.',
      ),
    },
  ),
  [`${V1}.HorizontalPodAutoscalerList`]: listOf(V1, 'v1', 'HorizontalPodAutoscaler'),
  [`${V1}.HorizontalPodAutoscalerSpec`]: obj(
    'Bounds and target of a CPU-based autoscaler.',
    {
      maxReplicas: int32('The most replicas the autoscaler may set.'),
      minReplicas: int32('The fewest replicas the autoscaler may set; defaults to 1.'),
      scaleTargetRef: ref(`${V1}.CrossVersionObjectReference`, 'The workload being scaled.'),
      targetCPUUtilizationPercentage: int32('Target average CPU use, as a percentage of requested CPU.'),
    },
    { required: ['scaleTargetRef', 'maxReplicas'] },
  ),
  [`${V1}.HorizontalPodAutoscalerStatus`]: obj(
    'The observed state of a CPU-based autoscaler.',
    {
      currentCPUUtilizationPercentage: int32('Current average CPU use, as a percentage of requested CPU.'),
      currentReplicas: int32('Replicas the target had when last observed.'),
      desiredReplicas: int32('Replicas the autoscaler last asked for.'),
      lastScaleTime: ref(TIME, 'When the autoscaler last changed the replica count.'),
      observedGeneration: int64('The most recent generation the autoscaler has acted on.'),
    },
    { required: ['currentReplicas', 'desiredReplicas'] },
  ),
  [`${V1}.CrossVersionObjectReference`]: crossVersionObjectReference(),
  [`${V1}.Scale`]: topLevel('v1', 'Scale', 'The replica count of a scalable resource.', {
    spec: ref(`${V1}.ScaleSpec`, 'The desired replica count.'),
    status: ref(`${V1}.ScaleStatus`, 'The observed replica count; read-only.'),
  }),
  [`${V1}.ScaleSpec`]: obj('The desired scale of a resource.', {
    replicas: int32('The desired number of replicas.'),
  }),
  [`${V1}.ScaleStatus`]: obj(
    'The observed scale of a resource.',
    {
      replicas: int32('The number of replicas observed.'),
      selector: str('The label selector of the pods counted, in query-string form.'),
    },
    { required: ['replicas'] },
  ),
};

const metricTargetProps = {
  averageUtilization: int32('Target average use across pods, as a percentage of the requested resource.'),
  averageValue: ref(QUANTITY, 'Target average value across pods.'),
  value: ref(QUANTITY, 'Target value of the metric.'),
};

const autoscalingV2: Definitions = {
  [`${V2}.HorizontalPodAutoscaler`]: topLevel(
    'v2',
    'HorizontalPodAutoscaler',
    'Scales a workload between bounds to keep the given metrics near their targets.',
    {
      spec: ref(`${V2}.HorizontalPodAutoscalerSpec`, 'The desired behaviour of the autoscaler.'),
      status: ref(
        `${V2}.HorizontalPodAutoscalerStatus`,
        'The most recently observed state of the autoscaler.',
      ),
    },
  ),
  [`${V2}.HorizontalPodAutoscalerList`]: listOf(V2, 'v2', 'HorizontalPodAutoscaler'),
  [`${V2}.HorizontalPodAutoscalerSpec`]: obj(
    'Bounds, metrics and scaling behaviour of an autoscaler.',
    {
      behavior: ref(`${V2}.HorizontalPodAutoscalerBehavior`, 'How fast to scale up and down.'),
      maxReplicas: int32('The most replicas the autoscaler may set.'),
      metrics: arr(
        t.ref(`${V2}.MetricSpec`),
        'Metrics to compute the replica count from; the largest proposal wins. Defaults to 80% CPU.',
        atomic,
      ),
      minReplicas: int32('The fewest replicas the autoscaler may set; defaults to 1.'),
      scaleTargetRef: ref(`${V2}.CrossVersionObjectReference`, 'The workload being scaled.'),
    },
    { required: ['scaleTargetRef', 'maxReplicas'] },
  ),
  [`${V2}.CrossVersionObjectReference`]: crossVersionObjectReference(),
  [`${V2}.HorizontalPodAutoscalerBehavior`]: obj('Scaling rules for each direction.', {
    scaleDown: ref(`${V2}.HPAScalingRules`, 'Rules for removing replicas.'),
    scaleUp: ref(`${V2}.HPAScalingRules`, 'Rules for adding replicas.'),
  }),
  [`${V2}.HPAScalingRules`]: obj('Rate limits and stabilization for one scaling direction.', {
    policies: arr(t.ref(`${V2}.HPAScalingPolicy`), 'Limits on how much may change in a period.', atomic),
    selectPolicy: str('Which policy wins: Max (the default), Min, or Disabled.', {
      enum: ['Disabled', 'Max', 'Min'],
    }),
    stabilizationWindowSeconds: int32(
      'Seconds of past recommendations considered before changing the count.',
    ),
  }),
  [`${V2}.HPAScalingPolicy`]: obj(
    'One limit on how much the replica count may change within a period.',
    {
      periodSeconds: int32('The length of the window the limit applies to, in seconds.'),
      type: str('Pods (an absolute count) or Percent.'),
      value: int32('The amount of change allowed; must be positive.'),
    },
    { required: ['type', 'value', 'periodSeconds'] },
  ),
  [`${V2}.MetricSpec`]: obj(
    'One metric to scale on; type says which of the other fields is set.',
    {
      containerResource: ref(
        `${V2}.ContainerResourceMetricSource`,
        'A resource of one container in each pod.',
      ),
      external: ref(`${V2}.ExternalMetricSource`, 'A metric from outside the cluster.'),
      object: ref(`${V2}.ObjectMetricSource`, 'A metric describing one Kubernetes object.'),
      pods: ref(`${V2}.PodsMetricSource`, 'A metric averaged over the pods of the target.'),
      resource: ref(`${V2}.ResourceMetricSource`, 'A resource (CPU, memory) of the pods of the target.'),
      type: str('ContainerResource, External, Object, Pods or Resource.', {
        enum: ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'],
      }),
    },
    { required: ['type'] },
  ),
  [`${V2}.MetricStatus`]: obj(
    'The current value of one metric; type says which of the other fields is set.',
    {
      containerResource: ref(
        `${V2}.ContainerResourceMetricStatus`,
        'A resource of one container in each pod.',
      ),
      external: ref(`${V2}.ExternalMetricStatus`, 'A metric from outside the cluster.'),
      object: ref(`${V2}.ObjectMetricStatus`, 'A metric describing one Kubernetes object.'),
      pods: ref(`${V2}.PodsMetricStatus`, 'A metric averaged over the pods of the target.'),
      resource: ref(`${V2}.ResourceMetricStatus`, 'A resource (CPU, memory) of the pods of the target.'),
      type: str('ContainerResource, External, Object, Pods or Resource.', {
        enum: ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'],
      }),
    },
    { required: ['type'] },
  ),
  [`${V2}.MetricTarget`]: obj(
    'The target value of a metric.',
    {
      ...metricTargetProps,
      type: str('Utilization, Value or AverageValue: which of the other fields applies.'),
    },
    { required: ['type'] },
  ),
  [`${V2}.MetricValueStatus`]: obj('The current value of a metric.', {
    averageUtilization: int32('Current average use across pods, as a percentage of the requested resource.'),
    averageValue: ref(QUANTITY, 'Current average value across pods.'),
    value: ref(QUANTITY, 'Current value of the metric.'),
  }),
  [`${V2}.MetricIdentifier`]: obj(
    'Names a metric, optionally narrowed by labels.',
    {
      name: str('The name of the metric.'),
      selector: ref(LABEL_SELECTOR, 'Labels that narrow which series of the metric are used.'),
    },
    { required: ['name'] },
  ),
  [`${V2}.ResourceMetricSource`]: obj(
    'Scale on a resource of the pods, as known to the resource metrics API.',
    {
      name: str('The resource, e.g. cpu or memory.'),
      target: ref(`${V2}.MetricTarget`, 'The target value.'),
    },
    { required: ['name', 'target'] },
  ),
  [`${V2}.ResourceMetricStatus`]: obj(
    'Current value of a pod resource metric.',
    {
      current: ref(`${V2}.MetricValueStatus`, 'The current value.'),
      name: str('The resource, e.g. cpu or memory.'),
    },
    { required: ['name', 'current'] },
  ),
  [`${V2}.ContainerResourceMetricSource`]: obj(
    'Scale on a resource of one named container in each pod.',
    {
      container: str('The container whose use is measured.'),
      name: str('The resource, e.g. cpu or memory.'),
      target: ref(`${V2}.MetricTarget`, 'The target value.'),
    },
    { required: ['name', 'target', 'container'] },
  ),
  [`${V2}.ContainerResourceMetricStatus`]: obj(
    'Current value of a container resource metric.',
    {
      container: str('The container whose use is measured.'),
      current: ref(`${V2}.MetricValueStatus`, 'The current value.'),
      name: str('The resource, e.g. cpu or memory.'),
    },
    { required: ['name', 'current', 'container'] },
  ),
  [`${V2}.PodsMetricSource`]: obj(
    'Scale on a custom metric averaged over the pods of the target.',
    {
      metric: ref(`${V2}.MetricIdentifier`, 'The metric.'),
      target: ref(`${V2}.MetricTarget`, 'The target value.'),
    },
    { required: ['metric', 'target'] },
  ),
  [`${V2}.PodsMetricStatus`]: obj(
    'Current value of a per-pod custom metric.',
    {
      current: ref(`${V2}.MetricValueStatus`, 'The current value.'),
      metric: ref(`${V2}.MetricIdentifier`, 'The metric.'),
    },
    { required: ['metric', 'current'] },
  ),
  [`${V2}.ObjectMetricSource`]: obj(
    'Scale on a metric describing one object, e.g. requests per second of an ingress.',
    {
      describedObject: ref(`${V2}.CrossVersionObjectReference`, 'The object the metric describes.'),
      metric: ref(`${V2}.MetricIdentifier`, 'The metric.'),
      target: ref(`${V2}.MetricTarget`, 'The target value.'),
    },
    { required: ['describedObject', 'target', 'metric'] },
  ),
  [`${V2}.ObjectMetricStatus`]: obj(
    'Current value of an object metric.',
    {
      current: ref(`${V2}.MetricValueStatus`, 'The current value.'),
      describedObject: ref(`${V2}.CrossVersionObjectReference`, 'The object the metric describes.'),
      metric: ref(`${V2}.MetricIdentifier`, 'The metric.'),
    },
    { required: ['metric', 'current', 'describedObject'] },
  ),
  [`${V2}.ExternalMetricSource`]: obj(
    'Scale on a metric that is not tied to any Kubernetes object.',
    {
      metric: ref(`${V2}.MetricIdentifier`, 'The metric.'),
      target: ref(`${V2}.MetricTarget`, 'The target value.'),
    },
    { required: ['metric', 'target'] },
  ),
  [`${V2}.ExternalMetricStatus`]: obj(
    'Current value of an external metric.',
    {
      current: ref(`${V2}.MetricValueStatus`, 'The current value.'),
      metric: ref(`${V2}.MetricIdentifier`, 'The metric.'),
    },
    { required: ['metric', 'current'] },
  ),
  [`${V2}.HorizontalPodAutoscalerStatus`]: obj(
    'The observed state of an autoscaler.',
    {
      conditions: mergeList(
        t.ref(`${V2}.HorizontalPodAutoscalerCondition`),
        'Whether the autoscaler can scale and whether it is limited.',
        ['type'],
      ),
      currentMetrics: arr(t.ref(`${V2}.MetricStatus`), 'The last read value of each metric.', atomic),
      currentReplicas: int32('Replicas the target had when last observed.'),
      desiredReplicas: int32('Replicas the autoscaler last asked for.'),
      lastScaleTime: ref(TIME, 'When the autoscaler last changed the replica count.'),
      observedGeneration: int64('The most recent generation the autoscaler has acted on.'),
    },
    { required: ['desiredReplicas'] },
  ),
  [`${V2}.HorizontalPodAutoscalerCondition`]: obj(
    "One aspect of an autoscaler's state at a point in time.",
    {
      lastTransitionTime: ref(TIME, 'When the condition last changed its status.'),
      message: str('A human-readable explanation of the condition.'),
      reason: str('A machine-readable, CamelCase reason for the last transition.'),
      status: str('Whether the condition holds: True, False or Unknown.'),
      type: str('The kind of condition: AbleToScale, ScalingActive or ScalingLimited.'),
    },
    { required: ['type', 'status'] },
  ),
};

export const autoscalingDefinitions: Definitions = { ...autoscalingV1, ...autoscalingV2 };
