// replicationcontrollers (rc)
import type { KubeObject } from '../../../api/types.js';
import { isRecord } from '../../../api/types.js';
import { defineResource, ensureObject, setDefault } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { invalidValue, required } from '../validation.js';
import { defaultPodTemplateSpec } from './pod-defaults.js';
import { validatePodTemplateSpec } from './pod-validation.js';
import { containersText, mapSelectorText } from './workload-columns.js';

type Obj = Record<string, unknown>;
const spec = (o: KubeObject) => (o.spec ?? {}) as Obj;
const status = (o: KubeObject) => (o.status ?? {}) as Obj;

export const replicationcontrollers = defineResource({
  group: '',
  version: 'v1',
  resource: 'replicationcontrollers',
  kind: 'ReplicationController',
  namespaced: true,
  shortNames: ['rc'],
  categories: ['all'],
  definition: 'io.k8s.api.core.v1.ReplicationController',
  status: true,
  generation: true,
  scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', selector: (rc) => mapSelectorText(spec(rc).selector).replace('<none>', '') },
  defaults(rc) {
    const s = ensureObject<Obj>(rc, 'spec');
    setDefault(s, 'replicas', 1);
    defaultPodTemplateSpec(s.template);
    const labels = isRecord(s.template) && isRecord(s.template.metadata) ? s.template.metadata.labels : undefined;
    if (!s.selector && isRecord(labels)) s.selector = { ...labels };
    setDefault(s, 'minReadySeconds', 0);
    if (!isRecord(rc.metadata.labels) && isRecord(labels)) rc.metadata.labels = { ...(labels as Record<string, string>) };
  },
  prepareForCreate(rc) {
    rc.status = { replicas: 0 };
  },
  validate(rc) {
    const s = spec(rc);
    const errs = validatePodTemplateSpec(s.template, 'spec.template');
    if (!isRecord(s.selector) || !Object.keys(s.selector).length) errs.push(required('spec.selector'));
    if (typeof s.replicas === 'number' && s.replicas < 0) errs.push(invalidValue('spec.replicas', s.replicas, 'must be greater than or equal to 0'));
    return errs;
  },
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
    cells: (rc, now) => {
      const [names, images] = containersText(spec(rc).template);
      return [rc.metadata.name, spec(rc).replicas ?? 0, status(rc).replicas ?? 0, status(rc).readyReplicas ?? 0, age(rc.metadata.creationTimestamp, now), names, images, mapSelectorText(spec(rc).selector)];
    },
  },
  fieldSelectors: { 'status.replicas': (rc) => String(status(rc).replicas ?? 0) },
});
