// deployments (deploy)
import { isRecord } from '../../../api/types.js';
import { defineResource, ensureObject, setDefault } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { containersText } from '../core/workload-columns.js';
import {
  defaultTemplate,
  immutableSelector,
  replicasScale,
  selectorString,
  spec,
  status,
  validateSelectorAndTemplate,
} from './workload.js';

type Obj = Record<string, unknown>;

export const deployments = defineResource({
  group: 'apps',
  version: 'v1',
  resource: 'deployments',
  kind: 'Deployment',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  definition: 'io.k8s.api.apps.v1.Deployment',
  status: true,
  generation: true,
  scale: replicasScale,
  defaults(d) {
    const s = defaultTemplate(d);
    setDefault(s, 'replicas', 1);
    const strategy = ensureObject<Obj>(s, 'strategy');
    setDefault(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') {
      const ru = ensureObject<Obj>(strategy, 'rollingUpdate');
      setDefault(ru, 'maxUnavailable', '25%');
      setDefault(ru, 'maxSurge', '25%');
    }
    setDefault(s, 'revisionHistoryLimit', 10);
    setDefault(s, 'progressDeadlineSeconds', 600);
  },
  prepareForCreate(d) {
    d.status = {};
  },
  validate: (d) => validateSelectorAndTemplate(d),
  validateUpdate: immutableSelector,
  table: {
    columns: [
      nameColumn,
      col('Ready', 'Ready replicas out of desired.'),
      col('Up-to-date', 'Replicas updated to the desired template.', 0, 'integer'),
      col('Available', 'Replicas available to users.', 0, 'integer'),
      ageColumn,
      col('Containers', 'Container names.', 1),
      col('Images', 'Container images.', 1),
      col('Selector', 'The label selector.', 1),
    ],
    cells: (d, now) => {
      const st = status(d);
      const [names, images] = containersText(spec(d).template);
      return [
        d.metadata.name,
        `${st.readyReplicas ?? 0}/${spec(d).replicas ?? 0}`,
        st.updatedReplicas ?? 0,
        st.availableReplicas ?? 0,
        age(d.metadata.creationTimestamp, now),
        names,
        images,
        selectorString(d) || '<none>',
      ];
    },
  },
});

export const isPaused = (d: { spec?: unknown }) => isRecord(d.spec) && d.spec.paused === true;
