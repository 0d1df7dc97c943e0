// The horizontal pod autoscaler controller (upstream's HorizontalController, autoscaling/v2):
// every sync period each HPA reads its target's /scale, computes the replicas each metric asks
// for, bounds them by behavior and min/maxReplicas, writes the new scale and its status, and
// records SuccessfulRescale / Failed* events with upstream's texts.
import type { KubeObject } from '../../api/types.js';
import { isRecord } from '../../api/types.js';
import { StatusError } from '../../api/errors.js';
import { parseLabelSelector, type LabelMatcher } from '../../api/selectors/index.js';
import type { Informer } from '../../client/informer.js';
import type { EventRecorder } from '../../client/events.js';
import type { RestClient } from '../../client/rest.js';
import { WorkQueue } from '../../client/workqueue.js';
import { runWorkers } from '../../client/reconcile-workers.js';
import type { ControllerContext } from '../../controller-manager/context.js';
import { parseDuration } from '../../util/duration.js';
import { logger } from '../../util/log.js';
import {
  normalizeWithBehavior,
  normalizeWithoutBehavior,
  recordScaleEvent,
  ScalingHistory,
  type Behavior,
} from './behavior.js';
import { canonicalJSON, nowStamp, setCondition, type HPACondition } from './conditions.js';
import { computeMetric, MetricError, type MetricSpec } from './compute.js';
import { MetricsClient } from './metrics-client.js';
import { DEFAULT_CALCULATOR_OPTIONS, type CalculatorOptions } from './replica-calculator.js';

const log = logger('horizontal-pod-autoscaler');
const HPA_PATH = '/apis/autoscaling/v2/horizontalpodautoscalers';

export interface HPAOptions extends CalculatorOptions {
  /** --horizontal-pod-autoscaler-sync-period (15 s) */
  syncPeriodMs: number;
  /** --horizontal-pod-autoscaler-downscale-stabilization (5 min) */
  downscaleWindowMs: number;
  workers: number;
}

/** The flags by upstream's names, parsed as Go durations (ctx.flags). */
export function hpaOptions(flags: Record<string, string | undefined>): HPAOptions {
  const dur = (name: string, fallback: number) => {
    const v = flags[`horizontal-pod-autoscaler-${name}`];
    return v === undefined ? fallback : parseDuration(v, `horizontal-pod-autoscaler-${name}`);
  };
  const tol = flags['horizontal-pod-autoscaler-tolerance'];
  return {
    syncPeriodMs: dur('sync-period', 15_000),
    downscaleWindowMs: dur('downscale-stabilization', 300_000),
    cpuInitializationMs: dur('cpu-initialization-period', DEFAULT_CALCULATOR_OPTIONS.cpuInitializationMs),
    initialReadinessDelayMs: dur(
      'initial-readiness-delay',
      DEFAULT_CALCULATOR_OPTIONS.initialReadinessDelayMs,
    ),
    tolerance: tol === undefined ? DEFAULT_CALCULATOR_OPTIONS.tolerance : Number(tol),
    workers: Number(flags['concurrent-horizontal-pod-autoscaler-syncs'] ?? 5),
  };
}

interface HPASpec {
  scaleTargetRef: { apiVersion?: string; kind: string; name: string };
  minReplicas?: number;
  maxReplicas: number;
  metrics?: MetricSpec[];
  behavior?: Behavior;
}
interface HPAStatus {
  currentReplicas?: number;
  desiredReplicas?: number;
  lastScaleTime?: string;
  currentMetrics?: Record<string, unknown>[];
  conditions?: HPACondition[];
  observedGeneration?: number;
}
interface Scale {
  metadata: KubeObject['metadata'];
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

/** A failure that has already been recorded on the HPA (event, condition); only logged. */
class Recorded extends Error {}

export class HorizontalPodAutoscalerController {
  private readonly queue = new WorkQueue();
  private readonly hpas: Informer;
  private readonly pods: Informer;
  private readonly recorder: EventRecorder;
  private readonly client: RestClient;
  private readonly metrics: MetricsClient;
  private readonly history = new Map<string, ScalingHistory>();
  /** each HPA's pod selector as of its last sync (for AmbiguousSelector) */
  private readonly selectors = new Map<string, LabelMatcher>();
  /** kinds → resources per groupVersion (upstream's RESTMapper), refreshed each sync period */
  private readonly resources = new Map<string, { atMs: number; byKind: Map<string, string> }>();
  private readonly resyncs = new Map<string, NodeJS.Timeout>();

  constructor(
    ctx: ControllerContext,
    readonly opts: HPAOptions = hpaOptions(ctx.flags),
  ) {
    this.client = ctx.client;
    this.hpas = ctx.informers.informer(HPA_PATH);
    this.pods = ctx.informers.informer('/api/v1/pods');
    this.recorder = ctx.recorder('horizontal-pod-autoscaler');
    this.metrics = new MetricsClient(ctx.client, opts.syncPeriodMs);
    const key = (o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`;
    this.hpas.addHandlers({
      onAdd: (o) => this.queue.add(key(o)),
      // our own status writes do not call for a sync; a changed spec does (at once, where
      // upstream waits for the next period)
      onUpdate: (o, n) => {
        if (canonicalJSON(o.spec) !== canonicalJSON(n.spec)) this.queue.add(key(n));
      },
      onDelete: (o) => this.queue.add(key(o)),
    });
  }

  start(): void {
    runWorkers(this.queue, this.opts.workers, (key) => this.reconcile(key), log);
  }

  stop(): void {
    this.queue.shutDown();
    for (const t of this.resyncs.values()) clearTimeout(t);
    this.resyncs.clear();
  }

  /** The next periodic sync of an HPA: one timer per HPA, however often it was synced. */
  private scheduleResync(key: string, ms: number): void {
    clearTimeout(this.resyncs.get(key));
    const t = setTimeout(() => {
      this.resyncs.delete(key);
      this.queue.add(key);
    }, ms);
    t.unref();
    this.resyncs.set(key, t);
  }

  /** One sync of one HPA, then the next one sync period later. */
  async reconcile(key: string): Promise<undefined> {
    const hpa = this.hpas.get(key);
    if (!hpa) {
      clearTimeout(this.resyncs.get(key));
      this.resyncs.delete(key);
      this.history.delete(key);
      this.selectors.delete(key);
      return undefined;
    }
    let next = this.opts.syncPeriodMs;
    try {
      await this.reconcileAutoscaler(hpa, key);
    } catch (err) {
      // a conflict means the cache was stale: look again soon
      if (err instanceof StatusError && err.code === 409) next = 100;
      else log.debug('hpa sync', { key, error: String(err) });
    }
    this.scheduleResync(key, next);
    return undefined;
  }

  private async resourceFor(apiVersion: string, kind: string): Promise<string> {
    const parts = apiVersion.split('/');
    if (parts.length > 2) throw new Error(`unexpected GroupVersion string: ${apiVersion}`);
    const [group, version] = parts.length === 2 ? [parts[0]!, parts[1]!] : ['', parts[0] ?? ''];
    const gv = group ? `/apis/${group}/${version}` : `/api/${version}`;
    let entry = this.resources.get(gv);
    if (!entry || Date.now() - entry.atMs > this.opts.syncPeriodMs) {
      const byKind = new Map<string, string>();
      try {
        const list = await this.client.request<{ resources: { name: string; kind: string }[] }>('GET', gv);
        for (const r of list.resources) if (!r.name.includes('/')) byKind.set(r.kind, r.name);
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      }
      entry = { atMs: Date.now(), byKind };
      this.resources.set(gv, entry);
    }
    const res = entry.byKind.get(kind);
    if (!res) throw new Error(`no matches for kind "${kind}" in group "${group}"`);
    return `${gv}/namespaces/{ns}/${res}`;
  }

  private async reconcileAutoscaler(hpa: KubeObject, key: string): Promise<void> {
    const ns = hpa.metadata.namespace!;
    const spec = hpa.spec as HPASpec;
    const original = (isRecord(hpa.status) ? hpa.status : {}) as HPAStatus;
    const status: HPAStatus = structuredClone(original);
    let conditions = status.conditions ?? [];
    const cond = (type: string, s: HPACondition['status'], reason: string, message: string) => {
      conditions = setCondition(conditions, type, s, reason, message);
    };
    const write = async () => {
      status.conditions = conditions;
      if (canonicalJSON(status) === canonicalJSON(original)) return;
      try {
        await this.client.request(
          'PUT',
          `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/${hpa.metadata.name}/status`,
          { ...hpa, status },
        );
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 409))
          this.recorder.event(
            hpa,
            'Warning',
            'FailedUpdateStatus',
            err instanceof Error ? err.message : String(err),
          );
        throw err;
      }
    };
    const ref = spec.scaleTargetRef;

    // the target's scale
    let scalePath: string;
    let scale: Scale;
    try {
      scalePath = `${(await this.resourceFor(ref.apiVersion ?? '', ref.kind)).replace('{ns}', ns)}/${ref.name}/scale`;
      scale = await this.client.request<Scale>('GET', scalePath);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      this.recorder.event(hpa, 'Warning', 'FailedGetScale', msg);
      cond(
        'AbleToScale',
        'False',
        'FailedGetScale',
        `the HPA controller was unable to get the target's current scale: ${msg}`,
      );
      await write();
      throw new Recorded(msg);
    }
    cond(
      'AbleToScale',
      'True',
      'SucceededGetScale',
      "the HPA controller was able to get the target's current scale",
    );
    const current = scale.spec?.replicas ?? 0;
    let history = this.history.get(key);
    if (!history) {
      history = new ScalingHistory();
      history.recommendations.push({ replicas: current, atMs: Date.now() });
      this.history.set(key, history);
    }
    const min = spec.minReplicas ?? 1;
    let desired = 0;
    let reason = '';
    let rescale = true;
    let currentMetrics: Record<string, unknown>[] | undefined;
    let metricError: string | undefined;

    if (current === 0 && min !== 0) {
      rescale = false;
      cond(
        'ScalingActive',
        'False',
        'ScalingDisabled',
        'scaling is disabled since the replica count of the target is zero',
      );
    } else if (current > spec.maxReplicas) {
      reason = 'Current number of replicas above Spec.MaxReplicas';
      desired = spec.maxReplicas;
    } else if (current < min) {
      reason = 'Current number of replicas below Spec.MinReplicas';
      desired = min;
    } else {
      const computed = await this.computeReplicasForMetrics(hpa, key, scale, spec.metrics ?? [], cond);
      currentMetrics = computed.statuses;
      if (computed.replicas === -1) {
        status.currentReplicas = current;
        status.currentMetrics = currentMetrics;
        await write();
        if (computed.error)
          this.recorder.event(hpa, 'Warning', 'FailedComputeMetricsReplicas', computed.error);
        throw new Recorded(computed.error ?? 'invalid metrics');
      }
      metricError = computed.error;
      desired = computed.replicas;
      if (desired > current) reason = `${computed.metric} above target`;
      if (desired < current) reason = 'All metrics below target';
      const now = Date.now();
      const n = spec.behavior
        ? normalizeWithBehavior(
            history,
            spec.behavior,
            current,
            desired,
            min,
            spec.maxReplicas,
            this.opts.downscaleWindowMs,
            now,
          )
        : normalizeWithoutBehavior(
            history,
            current,
            desired,
            min,
            spec.maxReplicas,
            this.opts.downscaleWindowMs,
            now,
          );
      cond('AbleToScale', 'True', n.ableReason, n.ableMessage);
      cond('ScalingLimited', n.limited ? 'True' : 'False', n.limitReason, n.limitMessage);
      desired = n.replicas;
      rescale = desired !== current;
    }

    if (rescale) {
      try {
        await this.client.request('PUT', scalePath, { ...scale, spec: { ...scale.spec, replicas: desired } });
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        this.recorder.event(
          hpa,
          'Warning',
          'FailedRescale',
          `New size: ${desired}; reason: ${reason}; error: ${msg}`,
        );
        cond(
          'AbleToScale',
          'False',
          'FailedUpdateScale',
          `the HPA controller was unable to update the target scale: ${msg}`,
        );
        status.currentReplicas = current;
        status.currentMetrics = currentMetrics;
        await write();
        throw new Recorded(msg);
      }
      cond(
        'AbleToScale',
        'True',
        'SucceededRescale',
        `the HPA controller was able to update the target scale to ${desired}`,
      );
      this.recorder.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
      if (spec.behavior) recordScaleEvent(history, spec.behavior, current, desired, Date.now());
      log.info('successfully rescaled', {
        hpa: key,
        currentReplicas: current,
        desiredReplicas: desired,
        reason,
      });
      status.lastScaleTime = nowStamp();
    } else desired = current;
    status.currentReplicas = current;
    status.desiredReplicas = desired;
    status.currentMetrics = currentMetrics;
    await write();
    if (metricError) log.debug('some metrics failed', { hpa: key, error: metricError });
  }

  /** upstream's computeReplicasForMetrics: the highest proposal; -1 when nothing can be decided. */
  private async computeReplicasForMetrics(
    hpa: KubeObject,
    key: string,
    scale: Scale,
    specs: MetricSpec[],
    cond: (type: string, s: HPACondition['status'], reason: string, message: string) => void,
  ): Promise<{ replicas: number; metric: string; statuses?: Record<string, unknown>[]; error?: string }> {
    const ns = hpa.metadata.namespace!;
    const selectorText = scale.status?.selector ?? '';
    if (!selectorText) {
      this.recorder.event(hpa, 'Warning', 'SelectorRequired', 'selector is required');
      cond('ScalingActive', 'False', 'InvalidSelector', "the HPA target's scale is missing a selector");
      return { replicas: -1, metric: '', error: 'selector is required' };
    }
    let selector: LabelMatcher;
    try {
      selector = parseLabelSelector(selectorText);
    } catch (err) {
      const msg = `couldn't convert selector into a corresponding internal selector object: ${err instanceof Error ? err.message : String(err)}`;
      this.recorder.event(hpa, 'Warning', 'InvalidSelector', msg);
      cond('ScalingActive', 'False', 'InvalidSelector', msg);
      return { replicas: -1, metric: '', error: msg };
    }
    this.selectors.set(key, selector);
    const pods = this.pods.listNamespace(ns).filter((p) => selector.matches(p.metadata.labels ?? {}));
    const others = [...this.selectors.entries()].filter(
      ([k, s]) => k.startsWith(`${ns}/`) && pods.some((p) => s.matches(p.metadata.labels ?? {})),
    );
    if (others.length > 1) {
      const names = others.map(([k]) => k).sort();
      const msg = `pods by selector ${selectorText} are controlled by multiple HPAs: [${names.join(' ')}]`;
      this.recorder.event(hpa, 'Warning', 'AmbiguousSelector', msg);
      cond('ScalingActive', 'False', 'AmbiguousSelector', msg);
      return { replicas: -1, metric: '', error: msg };
    }
    const statuses: Record<string, unknown>[] = specs.map(() => ({ type: '' }));
    let replicas = 0;
    let metric = '';
    let invalid = 0;
    let first: MetricError | undefined;
    for (const [i, spec] of specs.entries()) {
      try {
        const p = await computeMetric(spec, {
          namespace: ns,
          specReplicas: scale.spec?.replicas ?? 0,
          statusReplicas: scale.status?.replicas ?? 0,
          selector: selectorText,
          pods,
          metrics: this.metrics,
          calc: this.opts,
          resourceOf: async (apiVersion, kind) =>
            (await this.resourceFor(apiVersion, kind)).replace(/^.*\/namespaces\/\{ns\}\//, ''),
        });
        statuses[i] = p.status;
        if (replicas === 0 || p.replicas > replicas) {
          replicas = p.replicas;
          metric = p.metricName;
        }
      } catch (err) {
        const e =
          err instanceof MetricError
            ? err
            : new MetricError('FailedGetResourceMetric', String(err), String(err));
        this.recorder.event(hpa, 'Warning', e.reason, e.detail);
        if (!first) first = e;
        invalid++;
      }
    }
    const error = first
      ? `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${first.message}`
      : undefined;
    if (first && (invalid >= specs.length || replicas < (scale.spec?.replicas ?? 0))) {
      cond(
        'ScalingActive',
        'False',
        first.reason,
        `the HPA was unable to compute the replica count: ${first.detail}`,
      );
      return { replicas: -1, metric: '', statuses, error };
    }
    cond(
      'ScalingActive',
      'True',
      'ValidMetricFound',
      `the HPA was able to successfully calculate a replica count from ${metric}`,
    );
    return { replicas, metric, statuses, error };
  }
}
