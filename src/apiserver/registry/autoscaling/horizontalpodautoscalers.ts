// horizontalpodautoscalers (hpa): autoscaling/v2 is stored; autoscaling/v1 is served by
// converting (targetCPUUtilizationPercentage <-> a cpu Utilization metric).
import type { KubeObject } from '../../../api/types.js';
import { isRecord } from '../../../api/types.js';
import { defineResource, ensureObject, setDefault } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { invalidValue, required } from '../validation.js';

type Obj = Record<string, unknown>;
const spec = (o: KubeObject) => (o.spec ?? {}) as Obj;
const status = (o: KubeObject) => (o.status ?? {}) as Obj;

interface Metric {
  type: string;
  resource?: { name: string; target?: { type: string; averageUtilization?: number; averageValue?: string } };
}
interface CurrentMetric {
  type: string;
  resource?: { name: string; current?: { averageUtilization?: number; averageValue?: string } };
}

function targets(h: KubeObject): string {
  const ms = (spec(h).metrics as Metric[] | undefined) ?? [];
  const cur = (status(h).currentMetrics as CurrentMetric[] | undefined) ?? [];
  if (!ms.length) return '<none>';
  const parts = ms.map((m, i) => {
    if (m.type === 'Resource' && m.resource?.target) {
      const c = cur[i]?.resource?.current;
      if (m.resource.target.type === 'Utilization')
        return `${m.resource.name}: ${c?.averageUtilization !== undefined ? `${c.averageUtilization}%` : '<unknown>'}/${m.resource.target.averageUtilization}%`;
      return `${m.resource.name}: ${c?.averageValue ?? '<unknown>'}/${m.resource.target.averageValue}`;
    }
    return '<unknown>/<unknown>';
  });
  return parts.length > 2
    ? `${parts.slice(0, 2).join(', ')} + ${parts.length - 2} more...`
    : parts.join(', ');
}

const table = {
  columns: [
    nameColumn,
    col('Reference', 'The scaled workload.'),
    col('Targets', 'Current and target metric values.'),
    col('MinPods', 'The lower replica bound.', 0, 'integer'),
    col('MaxPods', 'The upper replica bound.', 0, 'integer'),
    col('Replicas', 'The current replica count.', 0, 'integer'),
    ageColumn,
  ],
  cells: (h: KubeObject, now: Date) => {
    const ref = (spec(h).scaleTargetRef ?? {}) as { kind?: string; name?: string };
    return [
      h.metadata.name,
      `${ref.kind}/${ref.name}`,
      targets(h),
      spec(h).minReplicas ?? '<unset>',
      spec(h).maxReplicas ?? 0,
      status(h).currentReplicas ?? 0,
      age(h.metadata.creationTimestamp, now),
    ];
  },
};

function validate(h: KubeObject) {
  const s = spec(h);
  const errs = [];
  if (!isRecord(s.scaleTargetRef)) errs.push(required('spec.scaleTargetRef'));
  if (typeof s.maxReplicas !== 'number' || s.maxReplicas < 1)
    errs.push(invalidValue('spec.maxReplicas', s.maxReplicas ?? 0, 'must be greater than or equal to 1'));
  if (
    typeof s.minReplicas === 'number' &&
    typeof s.maxReplicas === 'number' &&
    s.minReplicas > s.maxReplicas
  ) {
    errs.push(
      invalidValue('spec.maxReplicas', s.maxReplicas, 'must be greater than or equal to `minReplicas`'),
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
  generation: false,
  defaults(h) {
    const s = ensureObject<Obj>(h, 'spec');
    setDefault(s, 'minReplicas', 1);
    if (!Array.isArray(s.metrics) || !s.metrics.length)
      s.metrics = [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
        },
      ];
  },
  prepareForCreate(h) {
    h.status = { currentReplicas: 0, desiredReplicas: 0 };
  },
  validate,
  table,
});

function toV1(h: KubeObject): KubeObject {
  const s = spec(h);
  const cpu = ((s.metrics as Metric[] | undefined) ?? []).find(
    (m) => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target?.type === 'Utilization',
  );
  const out: KubeObject = {
    ...h,
    apiVersion: 'autoscaling/v1',
    spec: { scaleTargetRef: s.scaleTargetRef, minReplicas: s.minReplicas, maxReplicas: s.maxReplicas },
  };
  if (cpu?.resource?.target?.averageUtilization !== undefined)
    (out.spec as Obj).targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
  const st = status(h);
  const cur = ((st.currentMetrics as CurrentMetric[] | undefined) ?? []).find(
    (m) => m.type === 'Resource' && m.resource?.name === 'cpu',
  );
  out.status = { currentReplicas: st.currentReplicas ?? 0, desiredReplicas: st.desiredReplicas ?? 0 };
  if (st.lastScaleTime) (out.status as Obj).lastScaleTime = st.lastScaleTime;
  if (st.observedGeneration !== undefined) (out.status as Obj).observedGeneration = st.observedGeneration;
  if (cur?.resource?.current?.averageUtilization !== undefined)
    (out.status as Obj).currentCPUUtilizationPercentage = cur.resource.current.averageUtilization;
  return out;
}

function fromV1(h: KubeObject): KubeObject {
  const s = spec(h);
  const out: KubeObject = {
    ...h,
    apiVersion: 'autoscaling/v2',
    spec: { scaleTargetRef: s.scaleTargetRef, minReplicas: s.minReplicas, maxReplicas: s.maxReplicas },
  };
  if (typeof s.targetCPUUtilizationPercentage === 'number') {
    (out.spec as Obj).metrics = [
      {
        type: 'Resource',
        resource: {
          name: 'cpu',
          target: { type: 'Utilization', averageUtilization: s.targetCPUUtilizationPercentage },
        },
      },
    ];
  }
  const st = status(h);
  out.status = { currentReplicas: st.currentReplicas ?? 0, desiredReplicas: st.desiredReplicas ?? 0 };
  if (st.lastScaleTime) (out.status as Obj).lastScaleTime = st.lastScaleTime;
  return out;
}

export const horizontalpodautoscalersV1 = defineResource({
  group: 'autoscaling',
  version: 'v1',
  resource: 'horizontalpodautoscalers',
  kind: 'HorizontalPodAutoscaler',
  namespaced: true,
  shortNames: ['hpa'],
  categories: ['all'],
  definition: 'io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler',
  status: true,
  storedAs: {
    group: 'autoscaling',
    resource: 'horizontalpodautoscalers',
    toStored: fromV1,
    fromStored: toV1,
  },
  defaults(h) {
    setDefault(ensureObject<Obj>(h, 'spec'), 'minReplicas', 1);
  },
  prepareForCreate(h) {
    h.status = { currentReplicas: 0, desiredReplicas: 0 };
  },
  validate,
  table: {
    ...table,
    cells: (h: KubeObject, now: Date) => {
      const s = spec(h);
      const ref = (s.scaleTargetRef ?? {}) as { kind?: string; name?: string };
      const cur = status(h).currentCPUUtilizationPercentage;
      const tgt =
        s.targetCPUUtilizationPercentage !== undefined
          ? `cpu: ${cur !== undefined ? `${cur}%` : '<unknown>'}/${s.targetCPUUtilizationPercentage}%`
          : '<none>';
      return [
        h.metadata.name,
        `${ref.kind}/${ref.name}`,
        tgt,
        s.minReplicas ?? '<unset>',
        s.maxReplicas ?? 0,
        status(h).currentReplicas ?? 0,
        age(h.metadata.creationTimestamp, now),
      ];
    },
  },
});
