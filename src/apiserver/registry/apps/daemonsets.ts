// daemonsets (ds)
import { isRecord } from '../../../api/types.js';
import { defineResource, ensureObject, setDefault } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { containersText, mapSelectorText } from '../core/workload-columns.js';
import {
  defaultTemplate,
  immutableSelector,
  selectorString,
  spec,
  status,
  validateSelectorAndTemplate,
} from './workload.js';

type Obj = Record<string, unknown>;

export const daemonsets = defineResource({
  group: 'apps',
  version: 'v1',
  resource: 'daemonsets',
  kind: 'DaemonSet',
  namespaced: true,
  shortNames: ['ds'],
  categories: ['all'],
  definition: 'io.k8s.api.apps.v1.DaemonSet',
  status: true,
  generation: true,
  defaults(ds) {
    const s = defaultTemplate(ds);
    const us = ensureObject<Obj>(s, 'updateStrategy');
    setDefault(us, 'type', 'RollingUpdate');
    if (us.type === 'RollingUpdate') {
      const ru = ensureObject<Obj>(us, 'rollingUpdate');
      setDefault(ru, 'maxUnavailable', 1);
      setDefault(ru, 'maxSurge', 0);
    }
    setDefault(s, 'revisionHistoryLimit', 10);
  },
  prepareForCreate(ds) {
    ds.status = {
      currentNumberScheduled: 0,
      numberMisscheduled: 0,
      desiredNumberScheduled: 0,
      numberReady: 0,
    };
  },
  validate: (ds) => validateSelectorAndTemplate(ds),
  validateUpdate: immutableSelector,
  table: {
    columns: [
      nameColumn,
      col('Desired', 'Nodes that should run the daemon pod.', 0, 'integer'),
      col('Current', 'Nodes running the daemon pod.', 0, 'integer'),
      col('Ready', 'Nodes with a ready daemon pod.', 0, 'integer'),
      col('Up-to-date', 'Nodes running the updated pod.', 0, 'integer'),
      col('Available', 'Nodes with an available daemon pod.', 0, 'integer'),
      col('Node Selector', 'The node selector of the pods.'),
      ageColumn,
      col('Containers', 'Container names.', 1),
      col('Images', 'Container images.', 1),
      col('Selector', 'The label selector.', 1),
    ],
    cells: (ds, now) => {
      const st = status(ds);
      const tpl = spec(ds).template;
      const nodeSel = isRecord(tpl) && isRecord(tpl.spec) ? tpl.spec.nodeSelector : undefined;
      const [names, images] = containersText(tpl);
      return [
        ds.metadata.name,
        st.desiredNumberScheduled ?? 0,
        st.currentNumberScheduled ?? 0,
        st.numberReady ?? 0,
        st.updatedNumberScheduled ?? 0,
        st.numberAvailable ?? 0,
        mapSelectorText(nodeSel),
        age(ds.metadata.creationTimestamp, now),
        names,
        images,
        selectorString(ds) || '<none>',
      ];
    },
  },
});
