// priorityclasses (pc), and the two built-in classes the API server creates at start.
import { defineResource, setDefault } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { forbidden, invalidValue } from '../validation.js';
import type { KubeObject } from '../../../api/types.js';

/** upstream's HighestUserDefinablePriority */
const HIGHEST_USER_PRIORITY = 1_000_000_000;

export const systemPriorityClasses: KubeObject[] = [
  {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: 'system-node-critical' },
    value: 2000001000,
    description: 'Used for system critical pods that must not be moved from their current node.',
  },
  {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: 'system-cluster-critical' },
    value: 2000000000,
    description:
      'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
  },
];

const SYSTEM = new Map(systemPriorityClasses.map((p) => [p.metadata.name, p.value]));

export const priorityclasses = defineResource({
  group: 'scheduling.k8s.io',
  version: 'v1',
  resource: 'priorityclasses',
  kind: 'PriorityClass',
  namespaced: false,
  shortNames: ['pc'],
  definition: 'io.k8s.api.scheduling.v1.PriorityClass',
  defaults(pc) {
    setDefault(pc, 'preemptionPolicy', 'PreemptLowerPriority');
    setDefault(pc, 'globalDefault', false);
  },
  validate(pc) {
    const name = pc.metadata.name ?? '';
    if (SYSTEM.has(name)) {
      return SYSTEM.get(name) === pc.value
        ? []
        : [forbidden('metadata.name', `${name} is a reserved system priority class name`)];
    }
    if (name.startsWith('system-'))
      return [forbidden('metadata.name', "priority class names with 'system-' prefix are reserved")];
    if (typeof pc.value === 'number' && pc.value > HIGHEST_USER_PRIORITY) {
      return [
        forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_PRIORITY}`),
      ];
    }
    return [];
  },
  validateUpdate: (pc, old) =>
    pc.value !== old.value ? [invalidValue('value', pc.value, 'may not be changed in an update.')] : [],
  table: {
    columns: [
      nameColumn,
      col('Value', 'The priority.', 0, 'integer'),
      col('Global-Default', 'Whether pods without a class get this one.', 0, 'boolean'),
      ageColumn,
      col('PreemptionPolicy', 'Whether pods of the class preempt others.'),
    ],
    cells: (pc, now) => [
      pc.metadata.name,
      pc.value,
      String(pc.globalDefault ?? false),
      age(pc.metadata.creationTimestamp, now),
      pc.preemptionPolicy ?? '',
    ],
  },
});
