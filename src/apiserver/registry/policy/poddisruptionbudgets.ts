// poddisruptionbudgets (pdb)
import type { KubeObject } from '../../../api/types.js';
import { defineResource, ensureObject } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { invalidValue } from '../validation.js';

type Obj = Record<string, unknown>;
const spec = (o: KubeObject) => (o.spec ?? {}) as Obj;

export const poddisruptionbudgets = defineResource({
  group: 'policy',
  version: 'v1',
  resource: 'poddisruptionbudgets',
  kind: 'PodDisruptionBudget',
  namespaced: true,
  shortNames: ['pdb'],
  definition: 'io.k8s.api.policy.v1.PodDisruptionBudget',
  status: true,
  generation: true,
  defaults(p) {
    ensureObject<Obj>(p, 'spec');
  },
  prepareForCreate(p) {
    p.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  },
  validate(p) {
    const s = spec(p);
    if (s.minAvailable !== undefined && s.maxUnavailable !== undefined) {
      return [invalidValue('spec', s, 'minAvailable and maxUnavailable cannot be both set')];
    }
    return [];
  },
  table: {
    columns: [
      nameColumn,
      col('Min Available', 'Pods that must stay available.'),
      col('Max Unavailable', 'Pods that may be unavailable.'),
      col('Allowed Disruptions', 'Disruptions allowed now.', 0, 'integer'),
      ageColumn,
    ],
    cells: (p, now) => [
      p.metadata.name,
      spec(p).minAvailable ?? 'N/A',
      spec(p).maxUnavailable ?? 'N/A',
      (p.status as Obj | undefined)?.disruptionsAllowed ?? 0,
      age(p.metadata.creationTimestamp, now),
    ],
  },
});
