// priorityclasses (pc), and the two built-in classes the API server creates at start.
import { defineResource, setDefault } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { forbidden, invalidValue, notSupported, type FieldError } from '../validation.js';
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

/** upstream's IsKnownSystemPriorityClass: why a system- name is refused, or undefined when it is fine. */
function systemClassError(name: string, value: unknown, globalDefault: unknown): string | undefined {
  const known = systemPriorityClasses.find((p) => p.metadata.name === name);
  if (!known) return `${name} is not a known system priority class`;
  if (known.value !== value) return `value of ${name} PriorityClass must be ${String(known.value)}`;
  if ((globalDefault ?? false) !== false) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}

const PREEMPTION_POLICIES = ['PreemptLowerPriority', 'Never'];

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
  },
  validate(pc) {
    const name = pc.metadata.name ?? '';
    const errs: FieldError[] = [];
    if (name.startsWith('system-')) {
      const why = systemClassError(name, pc.value, pc.globalDefault);
      if (why)
        errs.push(
          forbidden(
            'metadata.name',
            `priority class names with 'system-' prefix are reserved for system use only. error: ${why}`,
          ),
        );
    } else if (typeof pc.value === 'number' && pc.value > HIGHEST_USER_PRIORITY) {
      errs.push(
        forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_PRIORITY}`),
      );
    }
    if (pc.preemptionPolicy !== undefined && !PREEMPTION_POLICIES.includes(String(pc.preemptionPolicy)))
      errs.push(notSupported('preemptionPolicy', pc.preemptionPolicy, PREEMPTION_POLICIES));
    return errs;
  },
  validateUpdate(pc, old) {
    const errs: FieldError[] = [];
    if (pc.value !== old.value) errs.push(forbidden('value', 'may not be changed in an update.'));
    if (pc.preemptionPolicy !== old.preemptionPolicy)
      errs.push(invalidValue('preemptionPolicy', pc.preemptionPolicy, 'field is immutable'));
    return errs;
  },
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
      pc.globalDefault ?? false,
      age(pc.metadata.creationTimestamp, now),
      pc.preemptionPolicy ?? '<unset>',
    ],
  },
});
