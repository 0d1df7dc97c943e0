// deployments (deploy)
import { isRecord } from '../../../api/types.js';
import { defineResource, ensureObject, setDefault } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { containersText } from '../core/workload-columns.js';
import type { KubeObject } from '../../../api/types.js';
import { forbidden, invalidValue, notSupported, required, type FieldError } from '../validation.js';
import {
  defaultTemplate,
  immutableSelector,
  intOrPercent,
  intOrPercentValue,
  nonNegative,
  notOver100Percent,
  replicaSetTemplateChecks,
  replicasScale,
  requiredSelector,
  selectorString,
  spec,
  status,
} from './workload.js';

type Obj = Record<string, unknown>;

function validateStrategy(d: KubeObject): FieldError[] {
  const st = (isRecord(spec(d).strategy) ? spec(d).strategy : {}) as Obj;
  const path = 'spec.strategy';
  if (st.type === 'Recreate')
    return st.rollingUpdate !== undefined && st.rollingUpdate !== null
      ? [forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'")]
      : [];
  if (st.type !== 'RollingUpdate') return [notSupported(path, st, ['Recreate', 'RollingUpdate'])];
  if (!isRecord(st.rollingUpdate))
    return [required(`${path}.rollingUpdate`, 'this should be defaulted and never be nil')];
  const ru = st.rollingUpdate;
  const errs = [
    ...intOrPercent(ru.maxUnavailable, `${path}.rollingUpdate.maxUnavailable`),
    ...intOrPercent(ru.maxSurge, `${path}.rollingUpdate.maxSurge`),
  ];
  if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0)
    errs.push(
      invalidValue(
        `${path}.rollingUpdate.maxUnavailable`,
        ru.maxUnavailable,
        'may not be 0 when `maxSurge` is 0',
      ),
    );
  errs.push(...notOver100Percent(ru.maxUnavailable, `${path}.rollingUpdate.maxUnavailable`));
  return errs;
}

/** Upstream's ValidateDeploymentSpec, in its order. */
function validateDeployment(d: KubeObject): FieldError[] {
  const s = spec(d);
  const errs = [
    ...nonNegative(d, 'replicas'),
    ...requiredSelector(d, 'deployment'),
    ...replicaSetTemplateChecks(d),
    ...validateStrategy(d),
    ...nonNegative(d, 'minReadySeconds'),
    ...nonNegative(d, 'revisionHistoryLimit'),
  ];
  if (typeof s.progressDeadlineSeconds === 'number') {
    errs.push(...nonNegative(d, 'progressDeadlineSeconds'));
    if (s.progressDeadlineSeconds <= ((s.minReadySeconds as number | undefined) ?? 0))
      errs.push(
        invalidValue(
          'spec.progressDeadlineSeconds',
          s.progressDeadlineSeconds,
          'must be greater than minReadySeconds',
        ),
      );
  }
  return errs;
}

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
  validate: validateDeployment,
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
        selectorString(d),
      ];
    },
  },
});

export const isPaused = (d: { spec?: unknown }) => isRecord(d.spec) && d.spec.paused === true;
