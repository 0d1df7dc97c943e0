// leases
import { defineResource } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';

export const leases = defineResource({
  group: 'coordination.k8s.io',
  version: 'v1',
  resource: 'leases',
  kind: 'Lease',
  namespaced: true,
  definition: 'io.k8s.api.coordination.v1.Lease',
  table: {
    columns: [nameColumn, col('Holder', 'Who holds the lease.'), ageColumn],
    cells: (l, now) => [
      l.metadata.name,
      (l.spec as { holderIdentity?: string } | undefined)?.holderIdentity ?? '',
      age(l.metadata.creationTimestamp, now),
    ],
  },
});
