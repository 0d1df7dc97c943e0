// replicasets (rs)
import { defineResource, setDefault } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { containersText } from '../core/workload-columns.js';
import {
  defaultTemplate,
  immutableSelector,
  nonNegative,
  replicaSetTemplateChecks,
  replicasScale,
  requiredSelector,
  selectorString,
  spec,
  status,
} from './workload.js';

export const replicasets = defineResource({
  group: 'apps',
  version: 'v1',
  resource: 'replicasets',
  kind: 'ReplicaSet',
  namespaced: true,
  shortNames: ['rs'],
  categories: ['all'],
  definition: 'io.k8s.api.apps.v1.ReplicaSet',
  status: true,
  generation: true,
  scale: replicasScale,
  defaults(rs) {
    setDefault(defaultTemplate(rs), 'replicas', 1);
  },
  prepareForCreate(rs) {
    rs.status = { replicas: 0 };
  },
  // upstream's ValidateReplicaSetSpec; its empty-selector message says "deployment" too
  validate: (rs) => [
    ...nonNegative(rs, 'replicas'),
    ...nonNegative(rs, 'minReadySeconds'),
    ...requiredSelector(rs, 'deployment'),
    ...replicaSetTemplateChecks(rs),
  ],
  validateUpdate: immutableSelector,
  table: {
    columns: [
      nameColumn,
      col('Desired', 'Replicas wanted.', 0, 'integer'),
      col('Current', 'Replicas created.', 0, 'integer'),
      col('Ready', 'Replicas ready.', 0, 'integer'),
      ageColumn,
      col('Containers', 'Container names.', 1),
      col('Images', 'Container images.', 1),
      col('Selector', 'The label selector.', 1),
    ],
    cells: (rs, now) => {
      const [names, images] = containersText(spec(rs).template);
      return [
        rs.metadata.name,
        spec(rs).replicas ?? 0,
        status(rs).replicas ?? 0,
        status(rs).readyReplicas ?? 0,
        age(rs.metadata.creationTimestamp, now),
        names,
        images,
        selectorString(rs),
      ];
    },
  },
});
