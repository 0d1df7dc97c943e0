// Where the HPA controller reads metrics (upstream's metrics.RESTMetricsClient): resource metrics
// from metrics.k8s.io/v1beta1 (served by the API server, src/apiserver/metrics-api), custom
// metrics from custom.metrics.k8s.io and external ones from external.metrics.k8s.io when an
// adapter registered those APIs. Errors carry upstream's texts (kubectl describe shows them).
import { StatusError } from '../../api/errors.js';
import { milliValue, tryParseQuantity } from '../../api/quantity.js';
import type { RestClient } from '../../client/rest.js';
import { parseDuration } from '../../util/duration.js';
import type { PodMetric, PodMetrics } from './replica-calculator.js';

interface PodMetricsItem {
  metadata: { name: string; namespace?: string };
  timestamp: string;
  window: string;
  containers: { name: string; usage: Record<string, string> }[];
}

interface CustomMetricValue {
  describedObject: { kind?: string; name: string };
  timestamp: string;
  windowSeconds?: number;
  value: string;
}

const milli = (q: string | undefined): number | undefined => {
  const p = q === undefined ? undefined : tryParseQuantity(q);
  return p ? Number(milliValue(p)) : undefined;
};

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function windowMs(w: string | undefined): number {
  try {
    return w ? parseDuration(w, 'window') : 0;
  } catch {
    return 0;
  }
}

export interface FetchedMetrics {
  metrics: PodMetrics;
  timestampMs: number;
}

export class MetricsClient {
  /** groupVersion the custom metrics API prefers, cached per sync period (upstream re-discovers too) */
  private customVersion?: { value: string | undefined; atMs: number };

  constructor(
    private readonly client: RestClient,
    private readonly rediscoverMs = 15_000,
  ) {}

  /** Pods' usage of `resource` (one container's when `container` is set), milli-units. */
  async resourceMetric(
    resource: string,
    namespace: string,
    selector: string,
    container: string,
  ): Promise<FetchedMetrics> {
    let items: PodMetricsItem[];
    try {
      const q = selector ? `?labelSelector=${encodeURIComponent(selector)}` : '';
      const list = await this.client.request<{ items: PodMetricsItem[] }>(
        'GET',
        `/apis/metrics.k8s.io/v1beta1/namespaces/${namespace}/pods${q}`,
      );
      items = list.items ?? [];
    } catch (err) {
      throw new Error(`unable to fetch metrics from resource metrics API: ${message(err)}`);
    }
    if (items.length === 0) throw new Error('no metrics returned from resource metrics API');
    const metrics: PodMetrics = new Map();
    for (const m of items) {
      const base = { timestampMs: Date.parse(m.timestamp), windowMs: windowMs(m.window) };
      if (container) {
        const c = m.containers.find((x) => x.name === container);
        if (!c)
          throw new Error(
            `failed to get container metrics: container ${container} not present in metrics for pod ${m.metadata.namespace ?? namespace}/${m.metadata.name}`,
          );
        const v = milli(c.usage[resource]);
        if (v !== undefined) metrics.set(m.metadata.name, { ...base, value: v });
        continue;
      }
      // a pod with a container lacking the resource is left out (it counts as missing)
      let sum = 0;
      let complete = m.containers.length > 0;
      for (const c of m.containers) {
        const v = milli(c.usage[resource]);
        if (v === undefined) complete = false;
        else sum += v;
      }
      if (complete) metrics.set(m.metadata.name, { ...base, value: sum });
    }
    return { metrics, timestampMs: Date.parse(items[0]!.timestamp) };
  }

  private async customMetricsVersion(): Promise<string> {
    const now = Date.now();
    if (!this.customVersion || now - this.customVersion.atMs > this.rediscoverMs) {
      let value: string | undefined;
      try {
        const g = await this.client.request<{ versions?: { groupVersion: string }[] }>(
          'GET',
          '/apis/custom.metrics.k8s.io',
        );
        const known = ['custom.metrics.k8s.io/v1beta2', 'custom.metrics.k8s.io/v1beta1'];
        value = known.find((k) => g.versions?.some((v) => v.groupVersion === k));
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      }
      this.customVersion = { value, atMs: now };
    }
    if (!this.customVersion.value) throw new Error('no known available metric versions found');
    return this.customVersion.value;
  }

  private async customValues(
    path: string,
    selector: string,
    metricSelector: string,
  ): Promise<CustomMetricValue[]> {
    try {
      const gv = await this.customMetricsVersion();
      const params = new URLSearchParams();
      if (selector) params.set('labelSelector', selector);
      if (metricSelector) params.set('metricLabelSelector', metricSelector);
      const q = params.size ? `?${params.toString()}` : '';
      const list = await this.client.request<{ items: CustomMetricValue[] }>('GET', `/apis/${gv}${path}${q}`);
      return list.items ?? [];
    } catch (err) {
      throw new Error(`unable to fetch metrics from custom metrics API: ${message(err)}`);
    }
  }

  /** A per-pod custom metric (type Pods), milli-units. */
  async podsMetric(
    name: string,
    namespace: string,
    selector: string,
    metricSelector: string,
  ): Promise<FetchedMetrics> {
    const items = await this.customValues(
      `/namespaces/${namespace}/pods/*/${encodeURIComponent(name)}`,
      selector,
      metricSelector,
    );
    if (items.length === 0) throw new Error('no metrics returned from custom metrics API');
    const metrics: PodMetrics = new Map();
    for (const v of items) {
      const m: PodMetric = {
        value: milli(v.value) ?? 0,
        timestampMs: Date.parse(v.timestamp),
        windowMs: (v.windowSeconds ?? 0) * 1000,
      };
      metrics.set(v.describedObject.name, m);
    }
    return { metrics, timestampMs: Date.parse(items[0]!.timestamp) };
  }

  /** One object's custom metric (type Object), milli-units. */
  async objectMetric(
    name: string,
    namespace: string,
    resourcePath: string,
    objectName: string,
    metricSelector: string,
  ): Promise<number> {
    const items = await this.customValues(
      `/namespaces/${namespace}/${resourcePath}/${objectName}/${encodeURIComponent(name)}`,
      '',
      metricSelector,
    );
    if (items.length === 0) throw new Error('no metrics returned from custom metrics API');
    return milli(items[0]!.value) ?? 0;
  }

  /** An external metric's values (type External), milli-units. */
  async externalMetric(name: string, namespace: string, metricSelector: string): Promise<number[]> {
    try {
      const q = metricSelector ? `?labelSelector=${encodeURIComponent(metricSelector)}` : '';
      const list = await this.client.request<{ items: { value: string }[] }>(
        'GET',
        `/apis/external.metrics.k8s.io/v1beta1/namespaces/${namespace}/${encodeURIComponent(name.toLowerCase())}${q}`,
      );
      const items = list.items ?? [];
      if (items.length === 0) throw new Error('no metrics returned from external metrics API');
      return items.map((i) => milli(i.value) ?? 0);
    } catch (err) {
      throw new Error(`unable to fetch metrics from external metrics API: ${message(err)}`);
    }
  }
}
