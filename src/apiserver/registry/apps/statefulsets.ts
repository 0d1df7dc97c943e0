// statefulsets (sts)
import { defineResource, ensureObject, setDefault } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { containersText } from '../core/workload-columns.js';
import type { KubeObject } from '../../../api/types.js';
import { isRecord } from '../../../api/types.js';
import { forbidden, invalidValue, notSupported, required, type FieldError } from '../validation.js';
import { validatePodTemplateSpec } from '../core/pod-validation.js';
import {
  defaultTemplate,
  intOrPercent,
  intOrPercentValue,
  noActiveDeadline,
  nonNegative,
  notOver100Percent,
  replicasScale,
  requiredSelector,
  restartAlways,
  selectorMatchesTemplate,
  spec,
  status,
} from './workload.js';

type Obj = Record<string, unknown>;

function validateUpdateStrategy(ss: KubeObject): FieldError[] {
  const us = (isRecord(spec(ss).updateStrategy) ? spec(ss).updateStrategy : {}) as Obj;
  const path = 'spec.updateStrategy';
  if (!us.type) return [required(path)];
  if (us.type === 'OnDelete')
    return isRecord(us.rollingUpdate)
      ? [
          invalidValue(
            `${path}.rollingUpdate`,
            us.rollingUpdate,
            "only allowed for updateStrategy 'RollingUpdate'",
          ),
        ]
      : [];
  if (us.type !== 'RollingUpdate') return [invalidValue(path, us, "must be 'RollingUpdate' or 'OnDelete'")];
  if (!isRecord(us.rollingUpdate)) return [];
  const ru = us.rollingUpdate;
  const errs: FieldError[] = [];
  if (typeof ru.partition === 'number' && ru.partition < 0)
    errs.push(
      invalidValue(`${path}.rollingUpdate.partition`, ru.partition, 'must be greater than or equal to 0'),
    );
  if (ru.maxUnavailable !== undefined && ru.maxUnavailable !== null) {
    const p = `${path}.rollingUpdate.maxUnavailable`;
    errs.push(...intOrPercent(ru.maxUnavailable, p));
    if (intOrPercentValue(ru.maxUnavailable) === 0)
      errs.push(invalidValue(p, ru.maxUnavailable, 'cannot be 0'));
    errs.push(...notOver100Percent(ru.maxUnavailable, p));
  }
  return errs;
}

function validateRetention(ss: KubeObject): FieldError[] {
  const policy = spec(ss).persistentVolumeClaimRetentionPolicy;
  if (!isRecord(policy)) return [];
  const allowed = ['Retain', 'Delete'];
  return (['whenDeleted', 'whenScaled'] as const)
    .filter((k) => policy[k] !== undefined && !allowed.includes(String(policy[k])))
    .map((k) => notSupported(`spec.persistentVolumeClaimRetentionPolicy.${k}`, policy[k], allowed));
}

/** Upstream's ValidateStatefulSetSpec, in its order. */
function validateStatefulSet(ss: KubeObject): FieldError[] {
  const s = spec(ss);
  const errs: FieldError[] = [];
  if (!s.podManagementPolicy) errs.push(required('spec.podManagementPolicy'));
  else if (s.podManagementPolicy !== 'OrderedReady' && s.podManagementPolicy !== 'Parallel')
    errs.push(
      invalidValue('spec.podManagementPolicy', s.podManagementPolicy, "must be 'OrderedReady' or 'Parallel'"),
    );
  errs.push(...validateUpdateStrategy(ss), ...validateRetention(ss));
  errs.push(...nonNegative(ss, 'replicas'), ...nonNegative(ss, 'minReadySeconds'));
  if (isRecord(s.ordinals) && typeof s.ordinals.start === 'number' && s.ordinals.start < 0)
    errs.push(invalidValue('spec.ordinals.start', s.ordinals.start, 'must be greater than or equal to 0'));
  errs.push(...requiredSelector(ss, 'statefulset'));
  errs.push(...selectorMatchesTemplate(ss), ...validatePodTemplateSpec(s.template, 'spec.template'));
  errs.push(...restartAlways(ss), ...noActiveDeadline(ss, 'StatefulSet'));
  return errs;
}

/** Only these spec fields may change (upstream's ValidateStatefulSetUpdate). */
const MUTABLE_SPEC = [
  'replicas',
  'template',
  'updateStrategy',
  'minReadySeconds',
  'ordinals',
  'persistentVolumeClaimRetentionPolicy',
];

function validateStatefulSetUpdate(ss: KubeObject, old: KubeObject): FieldError[] {
  const strip = (o: KubeObject) => {
    const copy = { ...spec(o) };
    for (const k of MUTABLE_SPEC) delete copy[k];
    return JSON.stringify(Object.entries(copy).sort(([a], [b]) => (a < b ? -1 : 1)));
  };
  if (strip(ss) === strip(old)) return [];
  return [
    forbidden(
      'spec',
      "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ),
  ];
}

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
  validate: validateStatefulSet,
  validateUpdate: validateStatefulSetUpdate,
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
