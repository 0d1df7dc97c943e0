// Scheduling constraints of pods: tolerations, topology spread, and node and pod affinity.
// Field names, types, formats and merge extensions follow Kubernetes v1.31; the descriptions are ours.
import type { Definitions } from './dsl.js';
import { str, int32, int64, ref, arr, obj, t, LABEL_SELECTOR } from './dsl.js';
import { atomicStruct, atomic, P } from './core-v1-common.js';

export const schedulingDefinitions: Definitions = {
  [`${P}.Toleration`]: obj(
    'Allows a pod to be scheduled onto, or keep running on, nodes with a matching taint.',
    {
      effect: str('The taint effect to match; empty matches all effects.', {
        enum: ['NoExecute', 'NoSchedule', 'PreferNoSchedule'],
      }),
      key: str('The taint key to match; empty with operator Exists matches every taint.'),
      operator: str('How the key relates to the value: Equal (the default) or Exists.', {
        enum: ['Equal', 'Exists'],
      }),
      tolerationSeconds: int64(
        'For NoExecute taints, how long the pod stays bound after the taint is added; unset means forever.',
      ),
      value: str('The taint value to match when the operator is Equal.'),
    },
  ),
  [`${P}.TopologySpreadConstraint`]: obj(
    'How matching pods are spread across the domains of one topology key.',
    {
      labelSelector: ref(LABEL_SELECTOR, 'Selects the pods counted in each domain.'),
      matchLabelKeys: arr(
        t.str,
        'Label keys whose values, taken from the incoming pod, narrow the pods counted.',
        atomic,
      ),
      maxSkew: int32(
        'The largest allowed difference in matching pods between any two domains; must be positive.',
      ),
      minDomains: int32(
        'The least number of eligible domains; fewer are treated as having zero matching pods.',
      ),
      nodeAffinityPolicy: str(
        "Whether the pod's node affinity/selector limits the domains counted: Honor (the default) or Ignore.",
        { enum: ['Honor', 'Ignore'] },
      ),
      nodeTaintsPolicy: str('Whether node taints limit the domains counted: Honor or Ignore (the default).', {
        enum: ['Honor', 'Ignore'],
      }),
      topologyKey: str('The node label whose values define the domains.'),
      whenUnsatisfiable: str('What to do when the constraint cannot be met.', {
        enum: ['DoNotSchedule', 'ScheduleAnyway'],
      }),
    },
    { required: ['maxSkew', 'topologyKey', 'whenUnsatisfiable'] },
  ),
  [`${P}.Affinity`]: obj('Scheduling constraints expressed as affinities.', {
    nodeAffinity: ref(`${P}.NodeAffinity`, 'Rules about which nodes the pod prefers or requires.'),
    podAffinity: ref(`${P}.PodAffinity`, 'Rules for placing the pod near other pods.'),
    podAntiAffinity: ref(`${P}.PodAntiAffinity`, 'Rules for keeping the pod away from other pods.'),
  }),
  [`${P}.NodeAffinity`]: obj('Rules about which nodes a pod may or should run on.', {
    preferredDuringSchedulingIgnoredDuringExecution: arr(
      t.ref(`${P}.PreferredSchedulingTerm`),
      'Weighted node preferences; the scheduler favours nodes with the highest total weight.',
      atomic,
    ),
    requiredDuringSchedulingIgnoredDuringExecution: ref(
      `${P}.NodeSelector`,
      'Node requirements that must hold at scheduling time.',
    ),
  }),
  [`${P}.PodAffinity`]: obj('Rules for placing a pod in the same domain as other pods.', {
    preferredDuringSchedulingIgnoredDuringExecution: arr(
      t.ref(`${P}.WeightedPodAffinityTerm`),
      'Weighted co-location preferences.',
      atomic,
    ),
    requiredDuringSchedulingIgnoredDuringExecution: arr(
      t.ref(`${P}.PodAffinityTerm`),
      'Co-location requirements that must hold at scheduling time.',
      atomic,
    ),
  }),
  [`${P}.PodAntiAffinity`]: obj('Rules for keeping a pod out of the domains of other pods.', {
    preferredDuringSchedulingIgnoredDuringExecution: arr(
      t.ref(`${P}.WeightedPodAffinityTerm`),
      'Weighted separation preferences.',
      atomic,
    ),
    requiredDuringSchedulingIgnoredDuringExecution: arr(
      t.ref(`${P}.PodAffinityTerm`),
      'Separation requirements that must hold at scheduling time.',
      atomic,
    ),
  }),
  [`${P}.PodAffinityTerm`]: obj(
    'A set of pods, and the topology domain in which the pod should (or should not) be placed relative to them.',
    {
      labelSelector: ref(LABEL_SELECTOR, 'Selects the pods this term refers to.'),
      matchLabelKeys: arr(
        t.str,
        'Label keys whose values, taken from the incoming pod, are added to the label selector.',
        atomic,
      ),
      mismatchLabelKeys: arr(
        t.str,
        'Label keys whose values, taken from the incoming pod, must differ in the selected pods.',
        atomic,
      ),
      namespaceSelector: ref(LABEL_SELECTOR, 'Selects the namespaces in which pods are looked for.'),
      namespaces: arr(
        t.str,
        "Names of the namespaces in which pods are looked for; with no selector either, the pod's own namespace.",
        atomic,
      ),
      topologyKey: str('The node label whose value defines the domain; must not be empty.'),
    },
    { required: ['topologyKey'] },
  ),
  [`${P}.WeightedPodAffinityTerm`]: obj(
    'A pod affinity term with a weight.',
    {
      podAffinityTerm: ref(`${P}.PodAffinityTerm`, 'The term.'),
      weight: int32("Weight added to a node's score when the term matches, from 1 to 100."),
    },
    { required: ['podAffinityTerm', 'weight'] },
  ),
  [`${P}.PreferredSchedulingTerm`]: obj(
    'A weighted node preference.',
    {
      preference: ref(`${P}.NodeSelectorTerm`, 'The node selector term to match.'),
      weight: int32("Weight added to a node's score when the term matches, from 1 to 100."),
    },
    { required: ['preference', 'weight'] },
  ),
  [`${P}.NodeSelector`]: atomicStruct(
    obj(
      'Node requirements; a node matches if any of its terms matches.',
      {
        nodeSelectorTerms: arr(t.ref(`${P}.NodeSelectorTerm`), 'The terms, ORed together.', atomic),
      },
      { required: ['nodeSelectorTerms'] },
    ),
  ),
  [`${P}.NodeSelectorTerm`]: atomicStruct(
    obj('Requirements ANDed together; an empty term matches nothing.', {
      matchExpressions: arr(t.ref(`${P}.NodeSelectorRequirement`), 'Requirements on node labels.', atomic),
      matchFields: arr(t.ref(`${P}.NodeSelectorRequirement`), 'Requirements on node fields.', atomic),
    }),
  ),
  [`${P}.NodeSelectorRequirement`]: obj(
    'One requirement on a node label or field.',
    {
      key: str('The label or field the requirement applies to.'),
      operator: str('How the key relates to the values.', {
        enum: ['DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn'],
      }),
      values: arr(
        t.str,
        'The values compared; one integer for Gt and Lt, none for Exists and DoesNotExist.',
        atomic,
      ),
    },
    { required: ['key', 'operator'] },
  ),
};
