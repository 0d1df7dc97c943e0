// The Metrics API (metrics.k8s.io/v1beta1), as metrics-server answers it: NodeMetrics for nodes
// and PodMetrics for pods that exist, from the last two scrapes of their node's kubelet. Objects
// carry the node's or pod's name, namespace and labels (label selectors work on them) and a
// creationTimestamp of "now", as metrics-server's do.
import { canonicalForm } from '../../api/quantity.js';
import { methodNotSupported, notFound } from '../../api/errors.js';
import { parseLabelSelector } from '../../api/selectors/labels.js';
import type { KubeObject } from '../../api/types.js';
import { respondJSON } from '../auth/authn/respond.js';
import type { CustomHandlers } from '../endpoints/custom.js';
import type { ResourceCall } from '../endpoints/resource-handler.js';
import type { ResourceStore } from '../endpoints/store.js';
import type { MetricsStore, Usage } from './store.js';

const GROUP = 'metrics.k8s.io';
const API_VERSION = 'metrics.k8s.io/v1beta1';

/** time.Duration's String(): 15s, 15.012s, 1m0.5s. */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = (ms % 60_000) / 1000;
  const s = `${Number(seconds.toFixed(3))}s`;
  if (minutes === 0) return s;
  const h = Math.floor(minutes / 60);
  return h ? `${h}h${minutes % 60}m${s}` : `${minutes}m${s}`;
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function usageOf(u: Usage): Record<string, string> {
  return {
    cpu: canonicalForm({ nanos: u.cpu, format: 'DecimalSI' }),
    memory: canonicalForm({ nanos: u.memory * 1_000_000_000n, format: 'BinarySI' }),
  };
}

function meta(o: KubeObject, now: number): Record<string, unknown> {
  return {
    name: o.metadata.name,
    ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
    creationTimestamp: stamp(now),
    ...(o.metadata.labels ? { labels: o.metadata.labels } : {}),
  };
}

async function listOf(store: ResourceStore | undefined, namespace?: string): Promise<KubeObject[]> {
  if (!store) return [];
  const all = await store.cache.list({ resourceVersion: '0' });
  return all.items.map((i) => i.obj).filter((o) => !namespace || o.metadata.namespace === namespace);
}

function selected(call: ResourceCall, objs: KubeObject[]): KubeObject[] {
  const sel = call.query.get('labelSelector');
  const byName = /^metadata\.name=(.+)$/.exec(call.query.get('fieldSelector') ?? '')?.[1];
  const m = sel ? parseLabelSelector(sel) : undefined;
  return objs.filter(
    (o) => (!m || m.matches(o.metadata.labels ?? {})) && (!byName || o.metadata.name === byName),
  );
}

export function registerMetricsAPI(
  custom: CustomHandlers,
  metrics: MetricsStore,
  lookup: (group: string, resource: string) => ResourceStore | undefined,
): void {
  const nodeItem = (node: KubeObject, now: number) => {
    const u = metrics.nodeUsage(node.metadata.name!);
    if (!u) return undefined;
    return {
      metadata: meta(node, now),
      timestamp: stamp(u.timestampMs),
      window: goDuration(u.windowMs),
      usage: usageOf(u),
    };
  };
  const podItem = (pod: KubeObject, usages: Map<string, Map<string, Usage>>, now: number) => {
    const containers = usages.get(`${pod.metadata.namespace}/${pod.metadata.name}`);
    if (!containers) return undefined;
    const first = [...containers.values()][0];
    const specOrder = ((pod.spec as { containers?: { name: string }[] } | undefined)?.containers ?? []).map(
      (c) => c.name,
    );
    const names = [...containers.keys()].sort((a, b) => specOrder.indexOf(a) - specOrder.indexOf(b));
    return {
      metadata: meta(pod, now),
      timestamp: stamp(first.timestampMs),
      window: goDuration(first.windowMs),
      containers: names.map((name) => ({ name, usage: usageOf(containers.get(name)!) })),
    };
  };

  custom.register(GROUP, 'nodes', '', async (call) => {
    const now = Date.now();
    const { info } = call;
    if (info.verb === 'get') {
      const node = (await listOf(lookup('', 'nodes'))).find((n) => n.metadata.name === info.name);
      const item = node && nodeItem(node, now);
      if (!item) throw notFound(GROUP, 'nodemetrics', info.name!);
      respondJSON(call, 200, { kind: 'NodeMetrics', apiVersion: API_VERSION, ...item });
      return false;
    }
    if (info.verb !== 'list') throw methodNotSupported(GROUP, 'nodes', info.verb);
    const items = selected(call, await listOf(lookup('', 'nodes')))
      .map((n) => nodeItem(n, now))
      .filter((i) => i !== undefined);
    respondJSON(call, 200, { kind: 'NodeMetricsList', apiVersion: API_VERSION, metadata: {}, items });
    return false;
  });

  custom.register(GROUP, 'pods', '', async (call) => {
    const now = Date.now();
    const { info } = call;
    const usages = metrics.podUsages();
    const pods = await listOf(lookup('', 'pods'), info.namespace);
    if (info.verb === 'get') {
      const pod = pods.find((p) => p.metadata.name === info.name);
      const item = pod && podItem(pod, usages, now);
      if (!item) throw notFound(GROUP, 'podmetrics', `${info.namespace}/${info.name}`);
      respondJSON(call, 200, { kind: 'PodMetrics', apiVersion: API_VERSION, ...item });
      return false;
    }
    if (info.verb !== 'list') throw methodNotSupported(GROUP, 'pods', info.verb);
    const items = selected(call, pods)
      .map((p) => podItem(p, usages, now))
      .filter((i) => i !== undefined);
    respondJSON(call, 200, { kind: 'PodMetricsList', apiVersion: API_VERSION, metadata: {}, items });
    return false;
  });
}
