// One metric spec of an HPA → the replicas it proposes and its status entry (upstream's
// computeReplicasForMetric and computeStatusFor*Metric), with upstream's error texts and the
// ScalingActive=False condition a failure proposes.
import type { KubeObject } from '../../api/types.js';
import { fromMilli, milliValue, quantityToString, tryParseQuantity } from '../../api/quantity.js';
import { labelSelectorFromObject, type LabelSelectorObject } from '../../api/selectors/index.js';
import type { MetricsClient } from './metrics-client.js';
import { plainMetricReplicas, resourceReplicas, type CalculatorOptions } from './replica-calculator.js';

type Obj = Record<string, unknown>;

interface Target {
  type?: string;
  averageUtilization?: number;
  averageValue?: string;
  value?: string;
}
interface MetricId {
  name: string;
  selector?: LabelSelectorObject;
}
export interface MetricSpec {
  type: string;
  resource?: { name: string; target: Target };
  containerResource?: { name: string; container: string; target: Target };
  pods?: { metric: MetricId; target: Target };
  object?: {
    describedObject: { apiVersion?: string; kind: string; name: string };
    metric: MetricId;
    target: Target;
  };
  external?: { metric: MetricId; target: Target };
}

export interface Proposal {
  replicas: number;
  metricName: string;
  status: Obj;
}

/** A failed metric: the event/condition reason and the message chain upstream builds. */
export class MetricError extends Error {
  constructor(
    /** reason of the Warning event and of ScalingActive=False */
    readonly reason: string,
    /** the error the event shows (and the condition wraps) */
    readonly detail: string,
    /** the error as computeReplicasForMetric returns it */
    wrapped: string,
  ) {
    super(wrapped);
  }
}

export interface ComputeInput {
  namespace: string;
  specReplicas: number;
  statusReplicas: number;
  selector: string;
  pods: KubeObject[];
  metrics: MetricsClient;
  calc: CalculatorOptions;
  /** resource path (plural) of a described object's kind, for Object metrics */
  resourceOf(apiVersion: string, kind: string): Promise<string>;
}

const milli = (q: string | undefined): number => {
  const p = q === undefined ? undefined : tryParseQuantity(q);
  return p ? Number(milliValue(p)) : 0;
};
const quantity = (m: number) => quantityToString(fromMilli(Math.trunc(m)));
const text = (err: unknown) => (err instanceof Error ? err.message : String(err));
/** Go's %+v of a *metav1.LabelSelector (only nil and matchLabels are rendered faithfully). */
const goSelector = (s: LabelSelectorObject | undefined) =>
  s
    ? `&LabelSelector{MatchLabels:map[${Object.entries(s.matchLabels ?? {})
        .map(([k, v]) => `${k}:${v}`)
        .join(' ')}],MatchExpressions:[]LabelSelectorRequirement{},}`
    : '<nil>';
const selectorString = (s: LabelSelectorObject | undefined) =>
  s ? labelSelectorFromObject(s).toString() : '';

async function resourceProposal(
  input: ComputeInput,
  name: string,
  container: string,
  target: Target,
): Promise<{ replicas: number; metricName: string; current: Obj }> {
  if (target.averageValue !== undefined) {
    try {
      const fetched = await input.metrics
        .resourceMetric(name, input.namespace, input.selector, container)
        .catch((err: unknown) => {
          throw new Error(`unable to get metrics for resource ${name}: ${text(err)}`);
        });
      const r = plainMetricReplicas(
        input.specReplicas,
        milli(target.averageValue),
        name,
        input.pods,
        fetched.metrics,
        input.calc,
      );
      return {
        replicas: r.replicas,
        metricName: `${name} resource`,
        current: { averageValue: quantity(r.usage) },
      };
    } catch (err) {
      throw new Error(`failed to get ${name} usage: ${text(err)}`);
    }
  }
  if (target.averageUtilization === undefined)
    throw new Error(
      'invalid resource metric source: neither an average utilization target nor an average value (usage) target was set',
    );
  try {
    const fetched = await input.metrics
      .resourceMetric(name, input.namespace, input.selector, container)
      .catch((err: unknown) => {
        throw new Error(`unable to get metrics for resource ${name}: ${text(err)}`);
      });
    const r = resourceReplicas(
      input.specReplicas,
      target.averageUtilization,
      name,
      container,
      input.pods,
      fetched.metrics,
      input.calc,
    );
    return {
      replicas: r.replicas,
      metricName: container
        ? `${name} container resource utilization (percentage of request)`
        : `${name} resource utilization (percentage of request)`,
      current: { averageUtilization: r.utilization, averageValue: quantity(r.rawAverage) },
    };
  } catch (err) {
    throw new Error(`failed to get ${name} utilization: ${text(err)}`);
  }
}

const readyPods = (pods: KubeObject[]) =>
  pods.filter((p) => {
    const st = p.status as { phase?: string; conditions?: { type: string; status: string }[] } | undefined;
    return st?.phase === 'Running' && st.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  }).length;

/** upstream's getUsageRatioReplicaCount (Object and External Value targets). */
function usageRatioReplicas(input: ComputeInput, ratio: number): number {
  if (input.specReplicas === 0) return Math.ceil(ratio);
  if (Math.abs(1 - ratio) <= input.calc.tolerance) return input.specReplicas;
  if (input.pods.length === 0)
    throw new Error(
      'unable to calculate ready pods: no pods returned by selector while calculating replica count',
    );
  return Math.ceil(ratio * readyPods(input.pods));
}

/** The per-pod average form of Object and External targets (GetObjectPerPodMetricReplicas). */
function perPodReplicas(input: ComputeInput, usage: number, targetAverage: number) {
  let replicas = input.statusReplicas;
  const ratio = usage / (targetAverage * replicas);
  if (Math.abs(1 - ratio) > input.calc.tolerance) replicas = Math.ceil(usage / targetAverage);
  return { replicas, average: Math.ceil(usage / input.statusReplicas) };
}

async function wrap<T>(reason: string, outer: (cause: string) => string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof MetricError) throw err;
    throw new MetricError(reason, text(err), outer(text(err)));
  }
}

export async function computeMetric(spec: MetricSpec, input: ComputeInput): Promise<Proposal> {
  switch (spec.type) {
    case 'Resource': {
      const r = spec.resource!;
      const p = await wrap(
        'FailedGetResourceMetric',
        (e) => `failed to get ${r.name} resource metric value: ${e}`,
        () => resourceProposal(input, r.name, '', r.target),
      );
      return { ...p, status: { type: 'Resource', resource: { name: r.name, current: p.current } } };
    }
    case 'ContainerResource': {
      const r = spec.containerResource!;
      const p = await wrap(
        'FailedGetContainerResourceMetric',
        (e) => `failed to get ${r.container} container metric value: ${e}`,
        () => resourceProposal(input, r.name, r.container, r.target),
      );
      return {
        ...p,
        status: {
          type: 'ContainerResource',
          containerResource: { name: r.name, container: r.container, current: p.current },
        },
      };
    }
    case 'Pods': {
      const m = spec.pods!;
      return wrap(
        'FailedGetPodsMetric',
        (e) => `failed to get pods metric value: ${e}`,
        async () => {
          const target = milli(m.target.averageValue);
          const fetched = await input.metrics
            .podsMetric(m.metric.name, input.namespace, input.selector, selectorString(m.metric.selector))
            .catch((err: unknown) => {
              throw new Error(`unable to get metric ${m.metric.name}: ${text(err)}`);
            });
          const r = plainMetricReplicas(
            input.specReplicas,
            target,
            '',
            input.pods,
            fetched.metrics,
            input.calc,
          );
          return {
            replicas: r.replicas,
            metricName: `pods metric ${m.metric.name}`,
            status: {
              type: 'Pods',
              pods: { metric: m.metric, current: { averageValue: quantity(r.usage) } },
            },
          };
        },
      );
    }
    case 'Object': {
      const o = spec.object!;
      return wrap(
        'FailedGetObjectMetric',
        (e) => `failed to get object metric value: ${e}`,
        async () => {
          const d = o.describedObject;
          const valueTarget = o.target.type === 'Value' && o.target.value !== undefined;
          const avgTarget = o.target.type === 'AverageValue' && o.target.averageValue !== undefined;
          if (!valueTarget && !avgTarget)
            throw new Error(
              'invalid object metric source: neither a value target nor an average value target was set',
            );
          const usage = await input
            .resourceOf(d.apiVersion ?? '', d.kind)
            .then((res) =>
              input.metrics.objectMetric(
                o.metric.name,
                input.namespace,
                res,
                d.name,
                selectorString(o.metric.selector),
              ),
            )
            .catch((err: unknown) => {
              // upstream's format string puts the arguments in this order
              throw new Error(
                `unable to get metric ${o.metric.name}: ${d.kind} on ${input.namespace} ${d.name}/${text(err)}`,
              );
            });
          if (valueTarget) {
            const replicas = usageRatioReplicas(input, usage / milli(o.target.value));
            return {
              replicas,
              metricName: `${d.kind} metric ${o.metric.name}`,
              status: {
                type: 'Object',
                object: { describedObject: d, metric: o.metric, current: { value: quantity(usage) } },
              },
            };
          }
          const r = perPodReplicas(input, usage, milli(o.target.averageValue));
          return {
            replicas: r.replicas,
            metricName: `external metric ${o.metric.name}(${goSelector(o.metric.selector)})`,
            status: {
              type: 'Object',
              object: { metric: o.metric, current: { averageValue: quantity(r.average) } },
            },
          };
        },
      );
    }
    case 'External': {
      const x = spec.external!;
      return wrap(
        'FailedGetExternalMetric',
        (e) => `failed to get ${x.metric.name} external metric value: ${e}`,
        async () => {
          const hasAvg = x.target.averageValue !== undefined;
          if (!hasAvg && x.target.value === undefined)
            throw new Error(
              'invalid external metric source: neither a value target nor an average value target was set',
            );
          let values: number[];
          try {
            values = await input.metrics.externalMetric(
              x.metric.name,
              input.namespace,
              selectorString(x.metric.selector),
            );
          } catch (err) {
            throw new Error(
              `failed to get external metric ${x.metric.name}: unable to get external metric ${input.namespace}/${x.metric.name}/${goSelector(x.metric.selector)}: ${text(err)}`,
            );
          }
          const usage = values.reduce((a, b) => a + b, 0);
          const metricName = `external metric ${x.metric.name}(${goSelector(x.metric.selector)})`;
          if (hasAvg) {
            const r = perPodReplicas(input, usage, milli(x.target.averageValue));
            return {
              replicas: r.replicas,
              metricName,
              status: {
                type: 'External',
                external: { metric: x.metric, current: { averageValue: quantity(r.average) } },
              },
            };
          }
          return {
            replicas: usageRatioReplicas(input, usage / milli(x.target.value)),
            metricName,
            status: { type: 'External', external: { metric: x.metric, current: { value: quantity(usage) } } },
          };
        },
      );
    }
    default: {
      const msg = `unknown metric source type "${spec.type}"`;
      throw new MetricError('InvalidMetricSourceType', msg, msg);
    }
  }
}
