// Resource lists (name → quantity) and the pod-level sums upstream computes from them
// (k8s.io/component-helpers resource.PodRequests / PodLimits): containers add up, init
// containers set a floor, restartable (sidecar) init containers add up and stay, and the pod's
// overhead is added on top.
import { isRecord, type KubeObject } from '../types.js';
import {
  addQuantities,
  compareQuantities,
  quantityToString,
  tryParseQuantity,
  type Quantity,
} from '../quantity.js';

export type ResourceList = Map<string, Quantity>;

type Obj = Record<string, unknown>;
const records = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isRecord) : []);

/** A JSON resource map ({"cpu": "500m"}) as a ResourceList; unparsable values are skipped. */
export function resourceList(raw: unknown): ResourceList {
  const out: ResourceList = new Map();
  if (!isRecord(raw)) return out;
  for (const [k, v] of Object.entries(raw)) {
    const q = tryParseQuantity(typeof v === 'number' ? String(v) : String(v ?? ''));
    if (q) out.set(k, q);
  }
  return out;
}

/** list += other, key by key (upstream's addResourceList). */
export function addInto(list: ResourceList, other: ResourceList): void {
  for (const [k, q] of other) {
    const prev = list.get(k);
    list.set(k, prev ? addQuantities(prev, q) : q);
  }
}

/** list = max(list, other), key by key (upstream's maxResourceList). */
export function maxInto(list: ResourceList, other: ResourceList): void {
  for (const [k, q] of other) {
    const prev = list.get(k);
    if (!prev || compareQuantities(q, prev) > 0) list.set(k, q);
  }
}

function containerResources(c: Obj, which: 'requests' | 'limits'): ResourceList {
  return resourceList(isRecord(c.resources) ? c.resources[which] : undefined);
}

function podSpec(pod: KubeObject): Obj {
  return isRecord(pod.spec) ? pod.spec : {};
}

/**
 * The pod's effective requests or limits: sum of containers and sidecars, at least each
 * regular init container (plus the sidecars started before it), plus overhead.
 */
export function podResources(
  pod: KubeObject,
  which: 'requests' | 'limits',
  opts: { overhead?: boolean } = {},
): ResourceList {
  const spec = podSpec(pod);
  const total: ResourceList = new Map();
  for (const c of records(spec.containers)) addInto(total, containerResources(c, which));
  const sidecars: ResourceList = new Map();
  const initFloor: ResourceList = new Map();
  for (const c of records(spec.initContainers)) {
    const own = containerResources(c, which);
    let effective: ResourceList;
    if (c.restartPolicy === 'Always') {
      addInto(total, own);
      addInto(sidecars, own);
      effective = new Map(sidecars);
    } else {
      effective = new Map();
      addInto(effective, own);
      addInto(effective, sidecars);
    }
    maxInto(initFloor, effective);
  }
  maxInto(total, initFloor);
  if (opts.overhead !== false && isRecord(spec.overhead)) {
    // overhead counts for limits only where the pod limits that resource at all
    const overhead = resourceList(spec.overhead);
    if (which === 'requests') addInto(total, overhead);
    else for (const [k, q] of overhead) if (total.has(k)) addInto(total, new Map([[k, q]]));
  }
  return total;
}

// ---- quota arithmetic (k8s.io/apiserver/pkg/quota/v1/resources.go) ----

const ZERO: Quantity = { nanos: 0n, format: 'DecimalSI', text: '0' };

/** a + b key by key; keys of either side are kept (upstream's quota.Add). */
export function add(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map();
  for (const [k, q] of a) {
    const other = b.get(k);
    out.set(k, other ? addQuantities(q, other) : q);
  }
  for (const [k, q] of b) if (!out.has(k)) out.set(k, q);
  return out;
}

/** a - b key by key, never below zero; keys only in b come out as zero. */
export function subtractNonNegative(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map();
  for (const [k, q] of a) {
    const other = b.get(k);
    const v = other ? { nanos: q.nanos - other.nanos, format: q.nanos === 0n ? other.format : q.format } : q;
    out.set(k, v.nanos > 0n ? v : ZERO);
  }
  for (const k of b.keys()) if (!out.has(k)) out.set(k, ZERO);
  return out;
}

/** Only the named keys. */
export function mask(list: ResourceList, names: Iterable<string>): ResourceList {
  const keep = new Set(names);
  return new Map([...list].filter(([k]) => keep.has(k)));
}

/** Whether a ≤ b for every key both have; the keys where not. */
export function lessThanOrEqual(a: ResourceList, b: ResourceList): string[] {
  const exceeded: string[] = [];
  for (const [k, limit] of b) {
    const v = a.get(k);
    if (v && compareQuantities(v, limit) > 0) exceeded.push(k);
  }
  return exceeded;
}

export function equals(a: ResourceList, b: ResourceList): boolean {
  if (a.size !== b.size) return false;
  for (const [k, q] of a) {
    const other = b.get(k);
    if (!other || compareQuantities(q, other) !== 0) return false;
  }
  return true;
}

export function removeZeros(list: ResourceList): ResourceList {
  return new Map([...list].filter(([, q]) => q.nanos !== 0n));
}

export function negativeKeys(list: ResourceList): string[] {
  return [...list].filter(([, q]) => q.nanos < 0n).map(([k]) => k);
}

/** As JSON ({"cpu": "500m"}), keys sorted as Go's encoder sorts map keys. */
export function toJSON(list: ResourceList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [...list.keys()].sort()) out[k] = quantityToString(list.get(k)!);
  return out;
}

/** "a=1,b=2Gi", keys sorted (upstream's prettyPrint). */
export function prettyPrint(list: ResourceList): string {
  return [...list.keys()]
    .sort()
    .map((k) => `${k}=${quantityToString(list.get(k)!)}`)
    .join(',');
}
