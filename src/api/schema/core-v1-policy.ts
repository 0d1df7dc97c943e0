// Events, limits, quotas, replication controllers, bindings and component statuses.
// Field names, types, formats and merge extensions follow Kubernetes v1.31; the descriptions are ours.
import type { Definitions } from './dsl.js';
import { str, int32, int64, ref, arr, map, mergeList, obj, t, TIME, MICRO_TIME, QUANTITY } from './dsl.js';
import { kind, listOf, atomicStruct, atomic, P } from './core-v1-common.js';

export const policyDefinitions: Definitions = {
  [`${P}.Event`]: kind(
    'Event',
    'A report of something that happened to an object.',
    {
      action: str('What was done, or failed, to the object.'),
      count: int32('How many times the event has occurred.'),
      eventTime: ref(MICRO_TIME, 'When the event was first observed, in microseconds.'),
      firstTimestamp: ref(TIME, 'When the event was first recorded.'),
      involvedObject: ref(`${P}.ObjectReference`, 'The object the event is about.'),
      lastTimestamp: ref(TIME, 'When the event last occurred.'),
      message: str('A human-readable description of what happened.'),
      reason: str("A brief CamelCase reason for the object's change."),
      related: ref(`${P}.ObjectReference`, 'A second object involved, if any.'),
      reportingComponent: str('The controller that emitted the event, e.g. kubernetes.io/kubelet.'),
      reportingInstance: str('The instance of the controller that emitted the event.'),
      series: ref(`${P}.EventSeries`, 'Data about a series of repeated events.'),
      source: ref(`${P}.EventSource`, 'The component reporting the event.'),
      type: str('Normal or Warning.'),
    },
    ['involvedObject', 'metadata'],
  ),
  [`${P}.EventList`]: listOf('Event'),
  [`${P}.EventSeries`]: obj('A series of repeated events.', {
    count: int32('How many times the event has occurred in the series.'),
    lastObservedTime: ref(MICRO_TIME, 'When the last event of the series was seen.'),
  }),
  [`${P}.EventSource`]: obj('The component that reported an event.', {
    component: str("The component's name."),
    host: str("The node's name."),
  }),
  [`${P}.LimitRange`]: kind(
    'LimitRange',
    'Defaults and bounds for the resources of objects in a namespace.',
    {
      spec: ref(`${P}.LimitRangeSpec`, 'The limits enforced.'),
    },
  ),
  [`${P}.LimitRangeList`]: listOf('LimitRange'),
  [`${P}.LimitRangeSpec`]: obj(
    'The limits of a LimitRange.',
    {
      limits: arr(t.ref(`${P}.LimitRangeItem`), 'The limits, one per kind of object.', atomic),
    },
    { required: ['limits'] },
  ),
  [`${P}.LimitRangeItem`]: obj(
    'Limits for one kind of object.',
    {
      default: map(t.ref(QUANTITY), 'The limits given to containers that set none.'),
      defaultRequest: map(t.ref(QUANTITY), 'The requests given to containers that set none.'),
      max: map(t.ref(QUANTITY), 'The most of each resource allowed.'),
      maxLimitRequestRatio: map(t.ref(QUANTITY), 'The largest ratio of limit to request allowed.'),
      min: map(t.ref(QUANTITY), 'The least of each resource required.'),
      type: str('The kind of object limited: Container, Pod or PersistentVolumeClaim.'),
    },
    { required: ['type'] },
  ),
  [`${P}.ResourceQuota`]: kind('ResourceQuota', 'Limits on the total resources used in a namespace.', {
    spec: ref(`${P}.ResourceQuotaSpec`, 'The limits enforced.'),
    status: ref(`${P}.ResourceQuotaStatus`, 'The observed usage.'),
  }),
  [`${P}.ResourceQuotaList`]: listOf('ResourceQuota'),
  [`${P}.ResourceQuotaSpec`]: obj('The limits of a quota.', {
    hard: map(t.ref(QUANTITY), 'The most of each named resource allowed.'),
    scopeSelector: ref(`${P}.ScopeSelector`, 'Selects the objects counted, by scope.'),
    scopes: arr(t.str, 'Scopes the counted objects must all match.', atomic),
  }),
  [`${P}.ResourceQuotaStatus`]: obj('The usage against a quota.', {
    hard: map(t.ref(QUANTITY), 'The limits enforced.'),
    used: map(t.ref(QUANTITY), 'The current usage.'),
  }),
  [`${P}.ScopeSelector`]: atomicStruct(
    obj('Selects objects by quota scope.', {
      matchExpressions: arr(
        t.ref(`${P}.ScopedResourceSelectorRequirement`),
        'Requirements on scopes, ANDed together.',
        atomic,
      ),
    }),
  ),
  [`${P}.ScopedResourceSelectorRequirement`]: obj(
    'A requirement on one quota scope.',
    {
      operator: str('How the scope relates to the values.', {
        enum: ['DoesNotExist', 'Exists', 'In', 'NotIn'],
      }),
      scopeName: str('The scope.', {
        enum: [
          'BestEffort',
          'CrossNamespacePodAffinity',
          'NotBestEffort',
          'NotTerminating',
          'PriorityClass',
          'Terminating',
        ],
      }),
      values: arr(t.str, 'The values compared; none for Exists and DoesNotExist.', atomic),
    },
    { required: ['operator', 'scopeName'] },
  ),
  [`${P}.ReplicationController`]: kind(
    'ReplicationController',
    'Keeps a number of copies of a pod running; superseded by ReplicaSet.',
    {
      spec: ref(`${P}.ReplicationControllerSpec`, 'How many pods are wanted and how they look.'),
      status: ref(`${P}.ReplicationControllerStatus`, 'The observed state of the controller.'),
    },
  ),
  [`${P}.ReplicationControllerList`]: listOf('ReplicationController'),
  [`${P}.ReplicationControllerSpec`]: obj('What a replication controller maintains.', {
    minReadySeconds: int32('Seconds a new pod must be ready, without crashing, to count as available.'),
    replicas: int32('The desired number of pods; defaults to 1.'),
    selector: map(t.str, "Labels of the pods counted; defaults to the template's labels.", {
      'x-kubernetes-map-type': 'atomic',
    }),
    template: ref(`${P}.PodTemplateSpec`, 'The pod template for new pods.'),
  }),
  [`${P}.ReplicationControllerStatus`]: obj(
    'The observed state of a replication controller.',
    {
      availableReplicas: int32('Pods ready for at least minReadySeconds.'),
      conditions: mergeList(
        t.ref(`${P}.ReplicationControllerCondition`),
        "The controller's current conditions.",
        ['type'],
      ),
      fullyLabeledReplicas: int32("Pods whose labels match the template's."),
      observedGeneration: int64('The generation most recently acted on.'),
      readyReplicas: int32('Pods that are ready.'),
      replicas: int32('Pods that exist.'),
    },
    { required: ['replicas'] },
  ),
  [`${P}.ReplicationControllerCondition`]: obj(
    "One aspect of a replication controller's state.",
    {
      lastTransitionTime: ref(TIME, 'When the condition last changed status.'),
      message: str('A human-readable explanation of the last transition.'),
      reason: str('A brief CamelCase reason for the last transition.'),
      status: str('Whether the condition holds: True, False or Unknown.'),
      type: str('The kind of condition.'),
    },
    { required: ['status', 'type'] },
  ),
  [`${P}.Binding`]: kind(
    'Binding',
    'Binds an object to another, e.g. a pod to a node; deprecated in favour of pods/binding.',
    {
      target: ref(`${P}.ObjectReference`, 'The object to bind to.'),
    },
    ['target'],
  ),
  [`${P}.ComponentStatus`]: kind('ComponentStatus', 'Deprecated: the health of a control plane component.', {
    conditions: mergeList(t.ref(`${P}.ComponentCondition`), "The component's conditions.", ['type']),
  }),
  [`${P}.ComponentStatusList`]: listOf('ComponentStatus'),
  [`${P}.ComponentCondition`]: obj(
    "One aspect of a component's health.",
    {
      error: str('The error that occurred, if any.'),
      message: str("The component's message."),
      status: str('Whether the condition holds: True, False or Unknown.'),
      type: str('The kind of condition; only Healthy exists.'),
    },
    { required: ['status', 'type'] },
  ),
};
