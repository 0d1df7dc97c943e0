// resourcequotas (quota)
import type { KubeObject } from '../../../api/types.js';
import { defineResource } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';

interface QuotaStatus {
  hard?: Record<string, string>;
  used?: Record<string, string>;
}

/** "requests.cpu: 500m/1, ..." for the request or limit columns, as upstream prints them. */
function usage(q: KubeObject, limits: boolean): string {
  const st = (q.status ?? {}) as QuotaStatus;
  const keys = Object.keys(st.hard ?? {})
    .filter((k) => (limits ? k.startsWith('limits.') : !k.startsWith('limits.')))
    .sort();
  return keys.map((k) => `${k}: ${st.used?.[k] ?? '0'}/${st.hard?.[k]}`).join(', ');
}

export const resourcequotas = defineResource({
  group: '',
  version: 'v1',
  resource: 'resourcequotas',
  kind: 'ResourceQuota',
  namespaced: true,
  shortNames: ['quota'],
  definition: 'io.k8s.api.core.v1.ResourceQuota',
  status: true,
  table: {
    columns: [nameColumn, ageColumn, col('Request', 'Used and hard requests.'), col('Limit', 'Used and hard limits.')],
    cells: (q, now) => [q.metadata.name, age(q.metadata.creationTimestamp, now), usage(q, false), usage(q, true)],
  },
});
