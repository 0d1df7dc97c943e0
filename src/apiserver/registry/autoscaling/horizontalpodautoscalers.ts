// horizontalpodautoscalers (hpa): autoscaling/v2 is the stored form; autoscaling/v1 is served by
// converting (hpa-conversion.ts). Both print upstream's table from the v2 form.
import type { KubeObject } from '../../../api/types.js';
import { isRecord } from '../../../api/types.js';
import { defineResource, ensureObject, setDefault } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { invalidValue, required, type FieldError } from '../validation.js';
import type { TableConvertor } from '../strategy.js';
import { cpuMetric, DEFAULT_CPU_UTILIZATION, hpaV1ToV2, hpaV2ToV1 } from './hpa-conversion.js';

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (isRecord(v) ? v : {});
const spec = (o: KubeObject) => rec(o.spec);
const status = (o: KubeObject) => rec(o.status);
const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** One "current/target" entry of the Targets cell (upstream's formatHPAMetrics). */
function metricText(m: Obj, cur: Obj | undefined): string {
  const avg = (s: Obj | undefined, k: string) => rec(rec(s?.[k]).current);
  switch (m.type) {
    case 'External':
    case 'Object': {
      const key = m.type === 'External' ? 'external' : 'object';
      const t = rec(rec(m[key]).target);
      const c = cur?.[key] ? avg(cur, key) : undefined;
      if (t.averageValue !== undefined)
        return `${str(c?.averageValue) || '<unknown>'}/${str(t.averageValue)} (avg)`;
      return `${c ? str(c.value) : '<unknown>'}/${str(t.value)}`;
    }
    case 'Pods': {
      const c = cur?.pods ? avg(cur, 'pods') : undefined;
      return `${c ? str(c.averageValue) : '<unknown>'}/${str(rec(rec(m.pods).target).averageValue)}`;
    }
    case 'Resource':
    case 'ContainerResource': {
      const key = m.type === 'Resource' ? 'resource' : 'containerResource';
      const r = rec(m[key]);
      const t = rec(r.target);
      const c = cur?.[key] ? avg(cur, key) : undefined;
      if (t.averageValue !== undefined)
        return `${str(r.name)}: ${c ? str(c.averageValue) : '<unknown>'}/${str(t.averageValue)}`;
      const current = typeof c?.averageUtilization === 'number' ? `${c.averageUtilization}%` : '<unknown>';
      const target = typeof t.averageUtilization === 'number' ? `${t.averageUtilization}%` : '<auto>';
      return `${str(r.name)}: ${current}/${target}`;
    }
    default:
      return '<unknown type>';
  }
}

export function targetsText(h: KubeObject): string {
  const specs = (spec(h).metrics as Obj[] | undefined) ?? [];
  const statuses = (status(h).currentMetrics as Obj[] | undefined) ?? [];
  if (!specs.length) return '<none>';
  const parts = specs.map((m, i) => metricText(m, statuses[i]));
  const max = 2;
  return parts.length > max
    ? `${parts.slice(0, max).join(', ')} + ${parts.length - max} more...`
    : parts.join(', ');
}

const columns = [
  nameColumn,
  col('Reference', 'The workload whose scale the autoscaler sets.'),
  col('Targets', 'Current and target values of the metrics.'),
  col('MinPods', 'The lower replica bound.'),
  col('MaxPods', 'The upper replica bound.', 0, 'integer'),
  col('Replicas', 'The replica count last seen by the autoscaler.', 0, 'integer'),
  ageColumn,
];

function v2Cells(h: KubeObject, now: Date): unknown[] {
  const ref = rec(spec(h).scaleTargetRef);
  const min = spec(h).minReplicas;
  return [
    h.metadata.name,
    `${str(ref.kind)}/${str(ref.name)}`,
    targetsText(h),
    typeof min === 'number' ? String(min) : '<unset>',
    spec(h).maxReplicas ?? 0,
    status(h).currentReplicas ?? 0,
    age(h.metadata.creationTimestamp, now),
  ];
}

const v2Table: TableConvertor = { columns, cells: v2Cells };

/** Fills the unset fields of one scaling direction (upstream's GenerateHPAScale{Up,Down}Rules). */
function defaultRules(rules: Obj, direction: 'up' | 'down'): void {
  setDefault(rules, 'stabilizationWindowSeconds', direction === 'up' ? 0 : 300);
  setDefault(rules, 'selectPolicy', 'Max');
  if (!Array.isArray(rules.policies) || !rules.policies.length)
    rules.policies =
      direction === 'up'
        ? [
            { type: 'Pods', value: 4, periodSeconds: 15 },
            { type: 'Percent', value: 100, periodSeconds: 15 },
          ]
        : [{ type: 'Percent', value: 100, periodSeconds: 15 }];
}

/** upstream's ValidateCrossVersionObjectReference plus the replica bounds. */
function validateHPA(h: KubeObject): FieldError[] {
  const s = spec(h);
  const errs: FieldError[] = [];
  if (typeof s.minReplicas === 'number' && s.minReplicas < 1)
    errs.push(invalidValue('spec.minReplicas', s.minReplicas, 'must be greater than or equal to 1'));
  const max = typeof s.maxReplicas === 'number' ? s.maxReplicas : 0;
  if (max < 1) errs.push(invalidValue('spec.maxReplicas', max, 'must be greater than 0'));
  if (typeof s.minReplicas === 'number' && max < s.minReplicas)
    errs.push(invalidValue('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  const ref = rec(s.scaleTargetRef);
  for (const k of ['kind', 'name']) {
    const v = ref[k];
    if (!v) errs.push(required(`spec.scaleTargetRef.${k}`));
    else if (v === '.' || v === '..')
      errs.push(invalidValue(`spec.scaleTargetRef.${k}`, v, `may not be '${v}'`));
    else if (String(v).includes('/') || String(v).includes('%'))
      errs.push(
        invalidValue(
          `spec.scaleTargetRef.${k}`,
          v,
          `may not contain '${String(v).includes('/') ? '/' : '%'}'`,
        ),
      );
  }
  return errs;
}

export const horizontalpodautoscalersV2 = defineResource({
  group: 'autoscaling',
  version: 'v2',
  resource: 'horizontalpodautoscalers',
  kind: 'HorizontalPodAutoscaler',
  namespaced: true,
  shortNames: ['hpa'],
  categories: ['all'],
  definition: 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler',
  status: true,
  defaults(h) {
    const s = ensureObject<Obj>(h, 'spec');
    setDefault(s, 'minReplicas', 1);
    if (!Array.isArray(s.metrics) || !s.metrics.length) s.metrics = [cpuMetric(DEFAULT_CPU_UTILIZATION)];
    // a behavior that is given gets its missing parts; an absent one stays absent
    if (isRecord(s.behavior)) {
      defaultRules(ensureObject<Obj>(s.behavior, 'scaleUp'), 'up');
      defaultRules(ensureObject<Obj>(s.behavior, 'scaleDown'), 'down');
    }
  },
  prepareForCreate(h) {
    // v2 omits a zero currentReplicas; desiredReplicas is always written
    h.status = { desiredReplicas: 0 };
  },
  validate: validateHPA,
  table: v2Table,
});

export const horizontalpodautoscalersV1 = defineResource({
  group: 'autoscaling',
  version: 'v1',
  resource: 'horizontalpodautoscalers',
  kind: 'HorizontalPodAutoscaler',
  namespaced: true,
  shortNames: ['hpa'],
  definition: 'io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler',
  status: true,
  storedAs: {
    group: 'autoscaling',
    resource: 'horizontalpodautoscalers',
    toStored: hpaV1ToV2,
    fromStored: hpaV2ToV1,
  },
  defaults(h) {
    setDefault(ensureObject<Obj>(h, 'spec'), 'minReplicas', 1);
  },
  prepareForCreate(h) {
    h.status = { currentReplicas: 0, desiredReplicas: 0 };
  },
  validate(h) {
    const errs = validateHPA(h);
    const t = spec(h).targetCPUUtilizationPercentage;
    if (typeof t === 'number' && t < 1)
      errs.push(invalidValue('spec.targetCPUUtilizationPercentage', t, 'must be greater than 0'));
    return errs;
  },
  table: { columns, cells: (h, now) => v2Cells(hpaV1ToV2(h), now) },
});
