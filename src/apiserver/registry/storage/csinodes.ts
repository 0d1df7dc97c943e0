// csinodes
import { defineResource } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';

export const csinodes = defineResource({
  group: 'storage.k8s.io',
  version: 'v1',
  resource: 'csinodes',
  kind: 'CSINode',
  namespaced: false,
  definition: 'io.k8s.api.storage.v1.CSINode',
  table: {
    columns: [nameColumn, col('Drivers', 'Number of CSI drivers on the node.', 0, 'integer'), ageColumn],
    cells: (n, now) => [
      n.metadata.name,
      ((n.spec as { drivers?: unknown[] } | undefined)?.drivers ?? []).length,
      age(n.metadata.creationTimestamp, now),
    ],
  },
});
