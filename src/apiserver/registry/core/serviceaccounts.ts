// serviceaccounts (sa): upstream's table (SECRETS counts the listed secrets).
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
    columns: [nameColumn, col('Secrets', 'How many secrets the service account lists.'), ageColumn],
    cells: (sa, now) => [
      sa.metadata.name,
      Array.isArray(sa.secrets) ? sa.secrets.length : 0,
      age(sa.metadata.creationTimestamp, now),
    ],
  },
});
