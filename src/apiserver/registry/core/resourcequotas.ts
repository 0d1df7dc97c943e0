// resourcequotas (quota): status reset on create, upstream's REQUEST / LIMIT cells.
import type { KubeObject } from '../../../api/types.js';
import { isRecord } from '../../../api/types.js';
import { defineResource } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';

interface QuotaStatus {
  hard?: Record<string, string>;
  used?: Record<string, string>;
}

/** "pods: 1/10, requests.cpu: 500m/1" (or the limits.* part): used/hard per resource, sorted by name. */
export function quotaUsage(q: KubeObject, limits: boolean): string {
  const st = (isRecord(q.status) ? q.status : {}) as QuotaStatus;
  return Object.keys(st.hard ?? {})
    .sort()
    .filter((k) => (k.split('.')[0] === 'limits' && k.includes('.')) === limits)
    .map((k) => `${k}: ${st.used?.[k] ?? '0'}/${st.hard?.[k]}`)
    .join(', ');
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
  prepareForCreate(q) {
    q.status = {};
  },
  table: {
    columns: [
      nameColumn,
      ageColumn,
      col('Request', 'Used and hard amounts of everything but limits.*, as used/hard.'),
      col('Limit', 'Used and hard amounts of limits.*, as used/hard.'),
    ],
    cells: (q, now) => [
      q.metadata.name,
      age(q.metadata.creationTimestamp, now),
      quotaUsage(q, false),
      quotaUsage(q, true),
    ],
  },
});
