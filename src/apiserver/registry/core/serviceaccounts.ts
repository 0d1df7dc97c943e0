// serviceaccounts (sa)
import { defineResource } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';

export const serviceaccounts = defineResource({
  group: '',
  version: 'v1',
  resource: 'serviceaccounts',
  kind: 'ServiceAccount',
  namespaced: true,
  shortNames: ['sa'],
  definition: 'io.k8s.api.core.v1.ServiceAccount',
  table: {
    columns: [nameColumn, col('Secrets', 'Number of secrets listed on the service account.', 0, 'integer'), ageColumn],
    cells: (sa, now) => [sa.metadata.name, ((sa.secrets as unknown[]) ?? []).length, age(sa.metadata.creationTimestamp, now)],
  },
});
