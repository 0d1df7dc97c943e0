// policy/v1: PodDisruptionBudget and Eviction.
import type { Definition, Definitions, PropSchema } from './dsl.js';
import {
  INT_OR_STRING,
  LABEL_SELECTOR,
  LIST_META,
  META,
  OBJECT_META,
  TIME,
  arr,
  int32,
  int64,
  map,
  mergeList,
  obj,
  ref,
  str,
  t,
} from './dsl.js';

const P = 'io.k8s.api.policy.v1';
const gvk = (kind: string) => [{ group: 'policy', version: 'v1', kind }];

function topLevel(kind: string, description: string, props: Record<string, PropSchema>): Definition {
  return obj(
    description,
    {
      apiVersion: str('The versioned schema of this object, here policy/v1.'),
      kind: str(`The kind of this object, here ${kind}.`),
      metadata: ref(OBJECT_META, "The object's name, namespace, labels and other metadata."),
      ...props,
    },
    { gvk: gvk(kind) },
  );
}

export const policyV1Definitions: Definitions = {
  [`${P}.PodDisruptionBudget`]: topLevel(
    'PodDisruptionBudget',
    'Limits how many pods of a set may be down at once because of voluntary disruptions such as evictions.',
    {
      spec: ref(`${P}.PodDisruptionBudgetSpec`, 'The desired bounds of the budget.'),
      status: ref(`${P}.PodDisruptionBudgetStatus`, 'The most recently observed state of the budget.'),
    },
  ),
  [`${P}.PodDisruptionBudgetList`]: obj(
    'A list of PodDisruptionBudget objects.',
    {
      apiVersion: str('The versioned schema of this list, here policy/v1.'),
      items: arr(t.ref(`${P}.PodDisruptionBudget`), 'The PodDisruptionBudget objects.'),
      kind: str('The kind of this list, here PodDisruptionBudgetList.'),
      metadata: ref(LIST_META, 'Resource version and continuation token of the list.'),
    },
    { required: ['items'], gvk: gvk('PodDisruptionBudgetList') },
  ),
  [`${P}.PodDisruptionBudgetSpec`]: obj('The bounds a disruption budget enforces.', {
    maxUnavailable: ref(
      INT_OR_STRING,
      'Evictions are allowed while at most this many selected pods (or this percentage) are unavailable.',
    ),
    minAvailable: ref(
      INT_OR_STRING,
      'Evictions are allowed while at least this many selected pods (or this percentage) stay available.',
    ),
    selector: ref(LABEL_SELECTOR, 'The pods the budget protects; an empty selector selects every pod.', {
      'x-kubernetes-patch-strategy': 'replace',
    }),
    unhealthyPodEvictionPolicy: str(
      'When running but not ready pods may be evicted: IfHealthyBudget (the default) or AlwaysAllow.',
      { enum: ['AlwaysAllow', 'IfHealthyBudget'] },
    ),
  }),
  [`${P}.PodDisruptionBudgetStatus`]: obj(
    'The observed state of a disruption budget.',
    {
      conditions: mergeList(
        t.ref(`${META}.Condition`),
        'The latest observations of the budget, e.g. whether disruptions are allowed.',
        ['type'],
      ),
      currentHealthy: int32('Selected pods that are currently healthy.'),
      desiredHealthy: int32('Selected pods that must stay healthy.'),
      disruptedPods: map(
        t.ref(TIME),
        'Pods whose eviction was approved but not yet observed, with the time of approval.',
      ),
      disruptionsAllowed: int32('How many more pods may be disrupted right now.'),
      expectedPods: int32('Pods the budget counts in total.'),
      observedGeneration: int64('The most recent generation the disruption controller has acted on.'),
    },
    { required: ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'] },
  ),
  [`${P}.Eviction`]: topLevel(
    'Eviction',
    "A request to evict a pod, subject to disruption budgets; posted to the pod's eviction subresource.",
    {
      deleteOptions: ref(`${META}.DeleteOptions`, 'Options for deleting the pod.'),
    },
  ),
};
