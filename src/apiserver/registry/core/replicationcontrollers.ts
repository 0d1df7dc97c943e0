// replicationcontrollers (rc): selector and labels defaulted from the template, template
// defaults, the selector/template agreement, scale, and upstream's table.
import type { KubeObject } from '../../../api/types.js';
import { isRecord } from '../../../api/types.js';
import { defineResource, ensureObject, setDefault } from '../define.js';
import { validateLabels } from '../meta-validation.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { invalidValue, notSupported, Printed, required, type FieldError } from '../validation.js';
import { defaultPodTemplateSpec } from './pod-defaults.js';
import { validatePodTemplateSpec } from './pod-validation.js';
import { containersText, mapSelectorText } from './workload-columns.js';

type Obj = Record<string, unknown>;
const spec = (o: KubeObject): Obj => (isRecord(o.spec) ? o.spec : {});
const status = (o: KubeObject): Obj => (isRecord(o.status) ? o.status : {});
const templateLabels = (o: KubeObject): Record<string, string> | undefined => {
  const t = spec(o).template;
  return isRecord(t) && isRecord(t.metadata) && isRecord(t.metadata.labels)
    ? (t.metadata.labels as Record<string, string>)
    : undefined;
};

/** Go's rendering of a map[string]string, as upstream prints the template labels. */
function goMap(m: Record<string, string> | undefined): Printed {
  const entries = Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return new Printed(
    `map[string]string{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(', ')}}`,
  );
}

function validate(rc: KubeObject): FieldError[] {
  const s = spec(rc);
  const errs: FieldError[] = [];
  const selector = isRecord(s.selector) ? (s.selector as Record<string, string>) : {};
  if (!Object.keys(selector).length) errs.push(required('spec.selector'));
  else errs.push(...validateLabels(selector, 'spec.selector'));
  if (typeof s.replicas === 'number' && s.replicas < 0)
    errs.push(invalidValue('spec.replicas', s.replicas, 'must be greater than or equal to 0'));
  if (typeof s.minReadySeconds === 'number' && s.minReadySeconds < 0)
    errs.push(invalidValue('spec.minReadySeconds', s.minReadySeconds, 'must be greater than or equal to 0'));
  if (!isRecord(s.template)) {
    errs.push(required('spec.template'));
    return errs;
  }
  const labels = templateLabels(rc) ?? {};
  if (Object.keys(selector).length && !Object.entries(selector).every(([k, v]) => labels[k] === v))
    errs.push(
      invalidValue(
        'spec.template.metadata.labels',
        goMap(labels),
        '`selector` does not match template `labels`',
      ),
    );
  errs.push(...validatePodTemplateSpec(s.template, 'spec.template'));
  const restart = isRecord(s.template.spec) ? s.template.spec.restartPolicy : undefined;
  if (restart !== undefined && restart !== 'Always')
    errs.push(notSupported('spec.template.spec.restartPolicy', restart, ['Always']));
  return errs;
}

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
  scale: {
    specReplicasPath: '.spec.replicas',
    statusReplicasPath: '.status.replicas',
    selector: (rc) => mapSelectorText(spec(rc).selector).replace('<none>', ''),
  },
  defaults(rc) {
    const s = ensureObject<Obj>(rc, 'spec');
    const labels = templateLabels(rc);
    if (labels) {
      if (!isRecord(s.selector) || !Object.keys(s.selector).length) s.selector = { ...labels };
      if (!rc.metadata.labels || !Object.keys(rc.metadata.labels).length) rc.metadata.labels = { ...labels };
    }
    setDefault(s, 'replicas', 1);
    if (isRecord(s.template)) defaultPodTemplateSpec(s.template);
  },
  prepareForCreate(rc) {
    rc.status = { replicas: 0 };
  },
  validate,
  table: {
    columns: [
      nameColumn,
      col('Desired', 'Replicas the controller should run.', 0, 'integer'),
      col('Current', 'Replicas the controller runs now.', 0, 'integer'),
      col('Ready', 'Replicas that are ready.', 0, 'integer'),
      ageColumn,
      col('Containers', 'Names of the containers in the pod template.', 1),
      col('Images', 'Images of the containers in the pod template.', 1),
      col('Selector', 'Labels the controller selects its pods by.', 1),
    ],
    cells: (rc, now) => {
      const [names, images] = containersText(spec(rc).template);
      return [
        rc.metadata.name,
        spec(rc).replicas ?? 0,
        status(rc).replicas ?? 0,
        status(rc).readyReplicas ?? 0,
        age(rc.metadata.creationTimestamp, now),
        names,
        images,
        mapSelectorText(spec(rc).selector),
      ];
    },
  },
  fieldSelectors: { 'status.replicas': (rc) => String(status(rc).replicas ?? 0) },
});
