// statefulsets (sts)
import { defineResource, ensureObject, setDefault } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { containersText } from '../core/workload-columns.js';
import {
  defaultTemplate,
  immutableSelector,
  replicasScale,
  spec,
  status,
  validateSelectorAndTemplate,
} from './workload.js';

type Obj = Record<string, unknown>;

export const statefulsets = defineResource({
  group: 'apps',
  version: 'v1',
  resource: 'statefulsets',
  kind: 'StatefulSet',
  namespaced: true,
  shortNames: ['sts'],
  categories: ['all'],
  definition: 'io.k8s.api.apps.v1.StatefulSet',
  status: true,
  generation: true,
  scale: replicasScale,
  defaults(ss) {
    const s = defaultTemplate(ss);
    setDefault(s, 'replicas', 1);
    setDefault(s, 'podManagementPolicy', 'OrderedReady');
    const us = ensureObject<Obj>(s, 'updateStrategy');
    setDefault(us, 'type', 'RollingUpdate');
    if (us.type === 'RollingUpdate') setDefault(ensureObject<Obj>(us, 'rollingUpdate'), 'partition', 0);
    setDefault(s, 'revisionHistoryLimit', 10);
    const retention = ensureObject<Obj>(s, 'persistentVolumeClaimRetentionPolicy');
    setDefault(retention, 'whenDeleted', 'Retain');
    setDefault(retention, 'whenScaled', 'Retain');
    for (const pvc of Array.isArray(s.volumeClaimTemplates) ? (s.volumeClaimTemplates as Obj[]) : []) {
      setDefault(ensureObject<Obj>(pvc, 'spec'), 'volumeMode', 'Filesystem');
      setDefault(pvc, 'status', { phase: 'Pending' });
    }
  },
  prepareForCreate(ss) {
    ss.status = { replicas: 0, availableReplicas: 0 };
  },
  validate: (ss) => validateSelectorAndTemplate(ss),
  validateUpdate: immutableSelector,
  table: {
    columns: [
      nameColumn,
      col('Ready', 'Ready replicas out of desired.'),
      ageColumn,
      col('Containers', 'Container names.', 1),
      col('Images', 'Container images.', 1),
    ],
    cells: (ss, now) => {
      const [names, images] = containersText(spec(ss).template);
      return [
        ss.metadata.name,
        `${status(ss).readyReplicas ?? 0}/${spec(ss).replicas ?? 0}`,
        age(ss.metadata.creationTimestamp, now),
        names,
        images,
      ];
    },
  },
});
