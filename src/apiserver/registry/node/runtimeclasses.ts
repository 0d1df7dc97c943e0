// runtimeclasses
import { defineResource } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { invalidValue, required } from '../validation.js';

export const runtimeclasses = defineResource({
  group: 'node.k8s.io',
  version: 'v1',
  resource: 'runtimeclasses',
  kind: 'RuntimeClass',
  namespaced: false,
  definition: 'io.k8s.api.node.v1.RuntimeClass',
  validate: (rc) => (rc.handler ? [] : [required('handler')]),
  validateUpdate: (rc, old) =>
    rc.handler !== old.handler ? [invalidValue('handler', rc.handler, 'field is immutable')] : [],
  table: {
    columns: [nameColumn, col('Handler', 'The runtime handler.'), ageColumn],
    cells: (rc, now) => [rc.metadata.name, rc.handler, age(rc.metadata.creationTimestamp, now)],
  },
});
