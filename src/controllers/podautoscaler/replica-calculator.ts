// Upstream's replica calculator (pkg/controller/podautoscaler/replica_calculator.go): from the
// pods' metrics and the target, the replica count the metric asks for. Pure arithmetic over the
// pods the informer has and the metrics the Metrics API answered; the controller does the I/O.
// Values are milli-units (millicores, milli-bytes), as upstream's MilliValue().
import type { KubeObject } from '../../api/types.js';
import { isRecord } from '../../api/types.js';
import { milliValue, tryParseQuantity } from '../../api/quantity.js';

/** One pod's metric: the sum over its (selected) containers, when it was read, over what window. */
export interface PodMetric {
  value: number;
  timestampMs: number;
  windowMs: number;
}

export type PodMetrics = Map<string, PodMetric>;

export interface CalculatorOptions {
  /** --horizontal-pod-autoscaler-tolerance (0.1) */
  tolerance: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period (5 min) */
  cpuInitializationMs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay (30 s) */
  initialReadinessDelayMs: number;
}

export const DEFAULT_CALCULATOR_OPTIONS: CalculatorOptions = {
  tolerance: 0.1,
  cpuInitializationMs: 5 * 60_000,
  initialReadinessDelayMs: 30_000,
};

interface Condition {
  type: string;
  status: string;
  lastTransitionTime?: string;
}
interface PodShape {
  phase?: string;
  startTime?: string;
  conditions?: Condition[];
}
interface ContainerShape {
  name: string;
  restartPolicy?: string;
  resources?: { requests?: Record<string, string> };
}

const podStatus = (p: KubeObject): PodShape => (isRecord(p.status) ? (p.status as PodShape) : {});
const ms = (t: string | undefined) => (t ? Date.parse(t) : NaN);

export interface PodGroups {
  readyPodCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

/**
 * Sorts the pods as upstream's groupPods: deleted and failed pods are ignored; pending ones are
 * unready; pods without a metric are missing; for CPU, a pod is unready while it is not Ready or
 * (within the initialization period) its sample predates one window after its last readiness
 * change, and after that period only if it has never been ready.
 */
export function groupPods(
  pods: KubeObject[],
  metrics: PodMetrics,
  resource: string,
  opts: CalculatorOptions,
  now = Date.now(),
): PodGroups {
  const out: PodGroups = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    const name = pod.metadata.name!;
    const st = podStatus(pod);
    if (pod.metadata.deletionTimestamp || st.phase === 'Failed') {
      out.ignored.add(name);
      continue;
    }
    if (st.phase === 'Pending') {
      out.unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      out.missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const ready = st.conditions?.find((c) => c.type === 'Ready');
      const start = ms(st.startTime);
      let unready: boolean;
      if (!ready || Number.isNaN(start)) unready = true;
      else {
        const transition = ms(ready.lastTransitionTime);
        if (start + opts.cpuInitializationMs > now)
          unready = ready.status === 'False' || metric.timestampMs < transition + metric.windowMs;
        else unready = ready.status === 'False' && start + opts.initialReadinessDelayMs > transition;
      }
      if (unready) {
        out.unready.add(name);
        continue;
      }
    }
    out.readyPodCount++;
  }
  return out;
}

/** The pods' requests of `resource` (one container's when `container` is set), in milli-units. */
export function podRequests(pods: KubeObject[], container: string, resource: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    const spec = pod.spec as { containers?: ContainerShape[]; initContainers?: ContainerShape[] };
    // regular containers and restartable init containers (sidecars)
    const containers = [
      ...(spec.containers ?? []),
      ...(spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'),
    ];
    let sum = 0;
    for (const c of containers) {
      if (container !== '' && container !== c.name) continue;
      const q = c.resources?.requests?.[resource];
      const parsed = q === undefined ? undefined : tryParseQuantity(q);
      if (!parsed)
        throw new Error(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`);
      sum += Number(milliValue(parsed));
    }
    out.set(pod.metadata.name!, sum);
  }
  return out;
}

export interface UtilizationRatio {
  ratio: number;
  /** percent of the requests, truncated */
  utilization: number;
  /** average usage per pod, milli-units */
  rawAverage: number;
}

/** upstream's GetResourceUtilizationRatio. */
export function utilizationRatio(
  metrics: PodMetrics,
  requests: Map<string, number>,
  targetUtilization: number,
): UtilizationRatio {
  let total = 0;
  let requested = 0;
  let entries = 0;
  for (const [name, m] of metrics) {
    const r = requests.get(name);
    if (r === undefined) continue;
    total += m.value;
    requested += r;
    entries++;
  }
  if (requested === 0) throw new Error('no metrics returned matched known pods');
  const utilization = Math.trunc((total * 100) / requested);
  return { ratio: utilization / targetUtilization, utilization, rawAverage: Math.trunc(total / entries) };
}

/** upstream's GetMetricUsageRatio: average per pod against the target average. */
export function usageRatio(metrics: PodMetrics, target: number): { ratio: number; usage: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const usage = Math.trunc(total / metrics.size);
  return { ratio: usage / target, usage };
}

export interface ResourceReplicas {
  replicas: number;
  utilization: number;
  rawAverage: number;
}

const zero = (): PodMetric => ({ value: 0, timestampMs: 0, windowMs: 0 });

/**
 * upstream's GetResourceReplicas after the metrics were fetched: the replicas a utilization
 * target asks for. On a scale-up unready pods count as using nothing; missing pods count as
 * using nothing on a scale-up and their request (or the target above 100 %) on a scale-down;
 * a change within the tolerance, or one the assumptions would turn around, keeps the count.
 */
export function resourceReplicas(
  currentReplicas: number,
  targetUtilization: number,
  resource: string,
  container: string,
  pods: KubeObject[],
  fetched: PodMetrics,
  opts: CalculatorOptions,
  now = Date.now(),
): ResourceReplicas {
  if (pods.length === 0) throw new Error('no pods returned by selector while calculating replica count');
  const metrics = new Map(fetched);
  const g = groupPods(pods, metrics, resource, opts, now);
  for (const n of [...g.ignored, ...g.unready]) metrics.delete(n);
  if (metrics.size === 0)
    throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  const requests = podRequests(pods, container, resource);
  const first = utilizationRatio(metrics, requests, targetUtilization);
  const keep = { replicas: currentReplicas, utilization: first.utilization, rawAverage: first.rawAverage };
  const ratio = first.ratio;
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1 - ratio) <= opts.tolerance) return keep;
    return { ...keep, replicas: Math.ceil(ratio * g.readyPodCount) };
  }
  if (g.missing.size > 0) {
    const fallback = Math.max(100, targetUtilization);
    for (const n of g.missing) {
      if (ratio < 1)
        metrics.set(n, { ...zero(), value: Math.trunc(((requests.get(n) ?? 0) * fallback) / 100) });
      else if (ratio > 1) metrics.set(n, zero());
    }
  }
  if (scaleUpWithUnready) for (const n of g.unready) metrics.set(n, zero());
  const next = utilizationRatio(metrics, requests, targetUtilization).ratio;
  if (Math.abs(1 - next) <= opts.tolerance || (ratio < 1 && next > 1) || (ratio > 1 && next < 1)) return keep;
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1 && replicas > currentReplicas) || (next > 1 && replicas < currentReplicas)) return keep;
  return { ...keep, replicas };
}

/**
 * upstream's calcPlainMetricReplicas (AverageValue targets of resource and pods metrics): the
 * same assumptions, with missing pods on a scale-down counted at exactly the target.
 */
export function plainMetricReplicas(
  currentReplicas: number,
  targetAverage: number,
  resource: string,
  pods: KubeObject[],
  fetched: PodMetrics,
  opts: CalculatorOptions,
  now = Date.now(),
): { replicas: number; usage: number } {
  if (pods.length === 0) throw new Error('no pods returned by selector while calculating replica count');
  const metrics = new Map(fetched);
  const g = groupPods(pods, metrics, resource, opts, now);
  for (const n of [...g.ignored, ...g.unready]) metrics.delete(n);
  if (metrics.size === 0)
    throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  const { ratio, usage } = usageRatio(metrics, targetAverage);
  const keep = { replicas: currentReplicas, usage };
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1 - ratio) <= opts.tolerance) return keep;
    return { replicas: Math.ceil(ratio * g.readyPodCount), usage };
  }
  for (const n of g.missing) {
    if (ratio < 1) metrics.set(n, { ...zero(), value: targetAverage });
    else if (ratio > 1) metrics.set(n, zero());
  }
  if (scaleUpWithUnready) for (const n of g.unready) metrics.set(n, zero());
  const next = usageRatio(metrics, targetAverage).ratio;
  if (Math.abs(1 - next) <= opts.tolerance || (ratio < 1 && next > 1) || (ratio > 1 && next < 1)) return keep;
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1 && replicas > currentReplicas) || (next > 1 && replicas < currentReplicas)) return keep;
  return { replicas, usage };
}
