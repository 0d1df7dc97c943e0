// autoscaling/v1 <-> autoscaling/v2 HorizontalPodAutoscalers, as upstream converts them: v1 keeps
// the CPU utilization target in spec and carries everything it cannot express (other metrics,
// current metrics, conditions, behavior) in autoscaling.alpha.kubernetes.io annotations.
import type { KubeObject } from '../../../api/types.js';
import { isRecord } from '../../../api/types.js';

type Obj = Record<string, unknown>;

export const METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
export const CURRENT_METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';

/** upstream's DefaultCPUUtilization, applied when an HPA names no metric at all. */
export const DEFAULT_CPU_UTILIZATION = 80;

const rec = (v: unknown): Obj => (isRecord(v) ? v : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isRecord) : []);

/** Copies the defined values of `from` (dropping undefined), so JSON output has no empty keys. */
function compact(o: Obj): Obj {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

export const cpuMetric = (utilization: number): Obj => ({
  type: 'Resource',
  resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: utilization } },
});

const isCpuUtilization = (m: Obj): boolean =>
  m.type === 'Resource' &&
  rec(m.resource).name === 'cpu' &&
  typeof rec(rec(m.resource).target).averageUtilization === 'number';

// ---- metric specs: v2 (target: {type, value, averageValue, averageUtilization}) <-> v1 (v2beta1 style) ----

function targetToV1(t: Obj, prefix = 'target'): Obj {
  return compact({
    [`${prefix}AverageUtilization`]: t.averageUtilization,
    [`${prefix}AverageValue`]: t.averageValue,
  });
}

function metricSpecToV1(m: Obj): Obj {
  switch (m.type) {
    case 'Resource': {
      const r = rec(m.resource);
      return { type: 'Resource', resource: { name: r.name, ...targetToV1(rec(r.target)) } };
    }
    case 'ContainerResource': {
      const r = rec(m.containerResource);
      return {
        type: 'ContainerResource',
        containerResource: { name: r.name, container: r.container, ...targetToV1(rec(r.target)) },
      };
    }
    case 'Pods': {
      const p = rec(m.pods);
      const metric = rec(p.metric);
      return {
        type: 'Pods',
        pods: compact({
          metricName: metric.name,
          targetAverageValue: rec(p.target).averageValue,
          selector: metric.selector,
        }),
      };
    }
    case 'Object': {
      const o = rec(m.object);
      const metric = rec(o.metric);
      const t = rec(o.target);
      return {
        type: 'Object',
        object: compact({
          target: o.describedObject,
          metricName: metric.name,
          targetValue: t.value,
          selector: metric.selector,
          averageValue: t.averageValue,
        }),
      };
    }
    case 'External': {
      const e = rec(m.external);
      const metric = rec(e.metric);
      const t = rec(e.target);
      return {
        type: 'External',
        external: compact({
          metricName: metric.name,
          metricSelector: metric.selector,
          targetValue: t.value,
          targetAverageValue: t.averageValue,
        }),
      };
    }
    default:
      return { type: m.type };
  }
}

function targetFromV1(r: Obj): Obj {
  if (typeof r.targetAverageUtilization === 'number')
    return { type: 'Utilization', averageUtilization: r.targetAverageUtilization };
  return { type: 'AverageValue', averageValue: r.targetAverageValue };
}

function metricSpecFromV1(m: Obj): Obj {
  switch (m.type) {
    case 'Resource': {
      const r = rec(m.resource);
      return { type: 'Resource', resource: { name: r.name, target: targetFromV1(r) } };
    }
    case 'ContainerResource': {
      const r = rec(m.containerResource);
      return {
        type: 'ContainerResource',
        containerResource: { name: r.name, container: r.container, target: targetFromV1(r) },
      };
    }
    case 'Pods': {
      const p = rec(m.pods);
      return {
        type: 'Pods',
        pods: {
          metric: compact({ name: p.metricName, selector: p.selector }),
          target: { type: 'AverageValue', averageValue: p.targetAverageValue },
        },
      };
    }
    case 'Object': {
      const o = rec(m.object);
      const target =
        o.averageValue !== undefined
          ? { type: 'AverageValue', averageValue: o.averageValue }
          : { type: 'Value', value: o.targetValue };
      return {
        type: 'Object',
        object: {
          describedObject: o.target,
          metric: compact({ name: o.metricName, selector: o.selector }),
          target,
        },
      };
    }
    case 'External': {
      const e = rec(m.external);
      const target =
        e.targetAverageValue !== undefined
          ? { type: 'AverageValue', averageValue: e.targetAverageValue }
          : { type: 'Value', value: e.targetValue };
      return {
        type: 'External',
        external: { metric: compact({ name: e.metricName, selector: e.metricSelector }), target },
      };
    }
    default:
      return { type: m.type };
  }
}

// ---- metric statuses ----

function currentToV1(c: Obj): Obj {
  return compact({ currentAverageUtilization: c.averageUtilization, currentAverageValue: c.averageValue });
}

function metricStatusToV1(m: Obj): Obj {
  switch (m.type) {
    case 'Resource': {
      const r = rec(m.resource);
      return { type: 'Resource', resource: { name: r.name, ...currentToV1(rec(r.current)) } };
    }
    case 'ContainerResource': {
      const r = rec(m.containerResource);
      return {
        type: 'ContainerResource',
        containerResource: { name: r.name, container: r.container, ...currentToV1(rec(r.current)) },
      };
    }
    case 'Pods': {
      const p = rec(m.pods);
      const metric = rec(p.metric);
      return {
        type: 'Pods',
        pods: compact({
          metricName: metric.name,
          currentAverageValue: rec(p.current).averageValue,
          selector: metric.selector,
        }),
      };
    }
    case 'Object': {
      const o = rec(m.object);
      const metric = rec(o.metric);
      const c = rec(o.current);
      return {
        type: 'Object',
        object: compact({
          target: o.describedObject,
          metricName: metric.name,
          currentValue: c.value,
          selector: metric.selector,
          averageValue: c.averageValue,
        }),
      };
    }
    case 'External': {
      const e = rec(m.external);
      const metric = rec(e.metric);
      const c = rec(e.current);
      return {
        type: 'External',
        external: compact({
          metricName: metric.name,
          metricSelector: metric.selector,
          currentValue: c.value,
          currentAverageValue: c.averageValue,
        }),
      };
    }
    default:
      return { type: m.type };
  }
}

function currentFromV1(r: Obj): Obj {
  return compact({ averageUtilization: r.currentAverageUtilization, averageValue: r.currentAverageValue });
}

function metricStatusFromV1(m: Obj): Obj {
  switch (m.type) {
    case 'Resource': {
      const r = rec(m.resource);
      return { type: 'Resource', resource: { name: r.name, current: currentFromV1(r) } };
    }
    case 'ContainerResource': {
      const r = rec(m.containerResource);
      return {
        type: 'ContainerResource',
        containerResource: { name: r.name, container: r.container, current: currentFromV1(r) },
      };
    }
    case 'Pods': {
      const p = rec(m.pods);
      return {
        type: 'Pods',
        pods: {
          metric: compact({ name: p.metricName, selector: p.selector }),
          current: compact({ averageValue: p.currentAverageValue }),
        },
      };
    }
    case 'Object': {
      const o = rec(m.object);
      return {
        type: 'Object',
        object: {
          describedObject: o.target,
          metric: compact({ name: o.metricName, selector: o.selector }),
          current: compact({ value: o.currentValue, averageValue: o.averageValue }),
        },
      };
    }
    case 'External': {
      const e = rec(m.external);
      return {
        type: 'External',
        external: {
          metric: compact({ name: e.metricName, selector: e.metricSelector }),
          current: compact({ value: e.currentValue, averageValue: e.currentAverageValue }),
        },
      };
    }
    default:
      return { type: m.type };
  }
}

function parseAnnotation(annotations: Record<string, string>, key: string): unknown {
  const raw = annotations[key];
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/** autoscaling/v2 (stored) → autoscaling/v1. */
export function hpaV2ToV1(h: KubeObject): KubeObject {
  const s = rec(h.spec);
  const st = rec(h.status);
  const metrics = list(s.metrics);
  const cpu = metrics.find(isCpuUtilization);
  const others = metrics.filter((m) => !isCpuUtilization(m)).map(metricSpecToV1);
  const current = list(st.currentMetrics);
  const conditions = list(st.conditions);

  const annotations: Record<string, string> = { ...(h.metadata.annotations ?? {}) };
  if (others.length) annotations[METRICS_ANNOTATION] = JSON.stringify(others);
  if (current.length) annotations[CURRENT_METRICS_ANNOTATION] = JSON.stringify(current.map(metricStatusToV1));
  if (isRecord(s.behavior)) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(s.behavior);
  if (conditions.length) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(conditions);

  const metadata = { ...h.metadata };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;

  const cpuCurrent = current.find((m) => m.type === 'Resource' && rec(m.resource).name === 'cpu');
  const cpuCurrentUtilization = rec(rec(cpuCurrent?.resource).current).averageUtilization;
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: compact({
      scaleTargetRef: s.scaleTargetRef,
      minReplicas: s.minReplicas,
      maxReplicas: s.maxReplicas,
      targetCPUUtilizationPercentage: cpu ? rec(rec(cpu.resource).target).averageUtilization : undefined,
    }),
    status: compact({
      observedGeneration: st.observedGeneration,
      lastScaleTime: st.lastScaleTime,
      currentReplicas: st.currentReplicas ?? 0,
      desiredReplicas: st.desiredReplicas ?? 0,
      currentCPUUtilizationPercentage: cpuCurrentUtilization,
    }),
  };
}

/** autoscaling/v1 → autoscaling/v2 (stored); the annotations it understands are consumed. */
export function hpaV1ToV2(h: KubeObject): KubeObject {
  const s = rec(h.spec);
  const st = rec(h.status);
  const annotations: Record<string, string> = { ...(h.metadata.annotations ?? {}) };

  const otherMetrics = parseAnnotation(annotations, METRICS_ANNOTATION);
  const currentMetrics = parseAnnotation(annotations, CURRENT_METRICS_ANNOTATION);
  const conditions = parseAnnotation(annotations, CONDITIONS_ANNOTATION);
  const behavior = parseAnnotation(annotations, BEHAVIOR_ANNOTATION);
  for (const key of [
    METRICS_ANNOTATION,
    CURRENT_METRICS_ANNOTATION,
    CONDITIONS_ANNOTATION,
    BEHAVIOR_ANNOTATION,
  ]) {
    delete annotations[key];
  }

  // the other metrics come first, the CPU target of the v1 spec last (upstream's order)
  const metrics = list(otherMetrics).map(metricSpecFromV1);
  if (typeof s.targetCPUUtilizationPercentage === 'number')
    metrics.push(cpuMetric(s.targetCPUUtilizationPercentage));
  // v1 had an implicit CPU default in the controller; v2 states it
  if (!metrics.length) metrics.push(cpuMetric(DEFAULT_CPU_UTILIZATION));

  const metadata = { ...h.metadata };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;

  const status: Obj = compact({
    observedGeneration: st.observedGeneration,
    lastScaleTime: st.lastScaleTime,
    // omitted when zero in v2, as upstream serializes it
    currentReplicas: st.currentReplicas ? st.currentReplicas : undefined,
    desiredReplicas: st.desiredReplicas ?? 0,
  });
  if (Array.isArray(currentMetrics)) status.currentMetrics = list(currentMetrics).map(metricStatusFromV1);
  if (Array.isArray(conditions)) status.conditions = list(conditions);

  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: compact({
      scaleTargetRef: s.scaleTargetRef,
      minReplicas: s.minReplicas,
      maxReplicas: s.maxReplicas,
      metrics,
      behavior: isRecord(behavior) ? behavior : undefined,
    }),
    status,
  };
}
