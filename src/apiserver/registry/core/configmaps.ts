// configmaps (cm)
import { defineResource } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { validateDataKeys } from './data-keys.js';

export const configmaps = defineResource({
  group: '',
  version: 'v1',
  resource: 'configmaps',
  kind: 'ConfigMap',
  namespaced: true,
  shortNames: ['cm'],
  definition: 'io.k8s.api.core.v1.ConfigMap',
  validate: (cm) => validateDataKeys(cm, ['data', 'binaryData']),
  validateUpdate: (cm, old) =>
    old.immutable === true && JSON.stringify([cm.data, cm.binaryData]) !== JSON.stringify([old.data, old.binaryData])
      ? [{ type: 'FieldValueForbidden', field: 'data', detail: 'field is immutable when `immutable` is set' }]
      : [],
  table: {
    columns: [nameColumn, col('Data', 'Number of keys in data and binaryData.', 0, 'integer'), ageColumn],
    cells: (cm, now) => [
      cm.metadata.name,
      Object.keys((cm.data as object) ?? {}).length + Object.keys((cm.binaryData as object) ?? {}).length,
      age(cm.metadata.creationTimestamp, now),
    ],
  },
});
