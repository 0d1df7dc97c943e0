// The pod evaluator (pkg/quota/v1/evaluator/core/pods.go): count, compute requests and limits
// (cpu, memory, ephemeral-storage, hugepages, extended resources as requests.<name>), the
// Terminating/NotTerminating, BestEffort/NotBestEffort, PriorityClass and
// CrossNamespacePodAffinity scopes, and the old rule that a quota on cpu or memory makes every
// container state them. Terminal pods and pods past their deletion grace use nothing but their count.
import { isRecord, type KubeObject } from '../types.js';
import { fromValue, parseQuantity } from '../quantity.js';
import { add, podResources, resourceList, type ResourceList } from './resources.js';
import { objectCountName, type Evaluator, type ScopeSelector } from './evaluator.js';

type Obj = Record<string, unknown>;
const records = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isRecord) : []);
const specOf = (p: KubeObject): Obj => (isRecord(p.spec) ? p.spec : {});

const POD_COUNT = objectCountName('', 'pods');
const POD_RESOURCES = [
  POD_COUNT,
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
];
const HUGEPAGES = 'hugepages-';
const REQUESTS = 'requests.';
/** A quota on these makes each container state them (a mistake upstream keeps for compatibility). */
const VALIDATION_SET = new Set([
  'cpu',
  'memory',
  'requests.cpu',
  'requests.memory',
  'limits.cpu',
  'limits.memory',
]);

/** helper.IsNativeResource: no domain, or in kubernetes.io */
const isNative = (name: string): boolean => !name.includes('/') || name.includes('kubernetes.io/');
const QUALIFIED =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** helper.IsExtendedResourceName */
export function isExtendedResource(name: string): boolean {
  if (isNative(name) || name.startsWith(REQUESTS)) return false;
  return QUALIFIED.test(REQUESTS + name);
}

/** podComputeUsageHelper: what a set of requests and limits charges. */
function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = new Map([['pods', parseQuantity('1')]]);
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    const req = requests.get(r);
    if (req) {
      out.set(r, req);
      out.set(`requests.${r}`, req);
    }
    const lim = limits.get(r);
    if (lim) out.set(`limits.${r}`, lim);
  }
  for (const [name, q] of requests) {
    if (name.startsWith(HUGEPAGES)) {
      out.set(name, q);
      out.set(REQUESTS + name, q);
    }
    if (isExtendedResource(name)) out.set(REQUESTS + name, q);
  }
  return out;
}

/** QuotaV1Pod: whether a pod's compute resources are charged. */
export function podCharged(pod: KubeObject, now: Date): boolean {
  const phase = isRecord(pod.status) ? pod.status.phase : undefined;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const { deletionTimestamp, deletionGracePeriodSeconds } = pod.metadata;
  if (deletionTimestamp && typeof deletionGracePeriodSeconds === 'number') {
    const end = Date.parse(deletionTimestamp) + deletionGracePeriodSeconds * 1000;
    if (now.getTime() > end) return false;
  }
  return true;
}

/** QoS BestEffort: no container requests or limits any cpu or memory. */
function isBestEffort(pod: KubeObject): boolean {
  const spec = specOf(pod);
  for (const c of [...records(spec.containers), ...records(spec.initContainers)]) {
    const res = isRecord(c.resources) ? c.resources : {};
    for (const list of [resourceList(res.requests), resourceList(res.limits)])
      for (const r of ['cpu', 'memory']) if ((list.get(r)?.nanos ?? 0n) > 0n) return false;
  }
  return true;
}

function isTerminating(pod: KubeObject): boolean {
  const ads = specOf(pod).activeDeadlineSeconds;
  return typeof ads === 'number' && ads >= 0;
}

function crossNamespaceAffinity(pod: KubeObject): boolean {
  const affinity = isRecord(specOf(pod).affinity) ? (specOf(pod).affinity as Obj) : {};
  const crosses = (t: Obj) =>
    (Array.isArray(t.namespaces) && t.namespaces.length > 0) || isRecord(t.namespaceSelector);
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const a = isRecord(affinity[kind]) ? (affinity[kind] as Obj) : {};
    if (records(a.requiredDuringSchedulingIgnoredDuringExecution).some(crosses)) return true;
    const weighted = records(a.preferredDuringSchedulingIgnoredDuringExecution);
    if (weighted.some((w) => isRecord(w.podAffinityTerm) && crosses(w.podAffinityTerm))) return true;
  }
  return false;
}

/** The PriorityClass scope as a label selector over {PriorityClass: <name>}. */
function priorityClassMatches(pod: KubeObject, s: ScopeSelector): boolean {
  const name = String(specOf(pod).priorityClassName ?? '');
  const values = s.values ?? [];
  switch (s.operator) {
    case 'Exists':
      return name !== '';
    case 'DoesNotExist':
      return name === '';
    case 'In':
      return name !== '' && values.includes(name);
    case 'NotIn':
      return name === '' || !values.includes(name);
    default:
      return false;
  }
}

export const podEvaluator: Evaluator = {
  group: '',
  resource: 'pods',
  handles: (op) => op === 'CREATE',
  matchingResources(input) {
    return input.filter(
      (n) =>
        POD_RESOURCES.includes(n) ||
        n.startsWith(HUGEPAGES) ||
        n.startsWith(REQUESTS + HUGEPAGES) ||
        (!isNative(n) && n.startsWith(REQUESTS)),
    );
  },
  matchesScope(s, pod) {
    switch (s.scopeName) {
      case 'Terminating':
        return isTerminating(pod);
      case 'NotTerminating':
        return !isTerminating(pod);
      case 'BestEffort':
        return isBestEffort(pod);
      case 'NotBestEffort':
        return !isBestEffort(pod);
      case 'PriorityClass':
        return priorityClassMatches(pod, s);
      case 'CrossNamespacePodAffinity':
        return crossNamespaceAffinity(pod);
      default:
        return false;
    }
  },
  constraints(required, pod) {
    const wanted = required.filter((r) => VALIDATION_SET.has(r));
    const missing = new Map<string, Set<string>>();
    const spec = specOf(pod);
    for (const c of [...records(spec.containers), ...records(spec.initContainers)]) {
      const res = isRecord(c.resources) ? c.resources : {};
      const has = computeUsage(resourceList(res.requests), resourceList(res.limits));
      for (const r of wanted) {
        if (has.has(r)) continue;
        if (!missing.has(r)) missing.set(r, new Set());
        missing.get(r)!.add(String(c.name ?? ''));
      }
    }
    if (missing.size === 0) return undefined;
    const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`);
    return `must specify ${parts.join('; ')}`;
  },
  usage(pod, now) {
    const count: ResourceList = new Map([[POD_COUNT, fromValue(1)]]);
    if (!podCharged(pod, now)) return count;
    return add(count, computeUsage(podResources(pod, 'requests'), podResources(pod, 'limits')));
  },
};
