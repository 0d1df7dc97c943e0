// The pod's QoS class (upstream's ComputePodQOS), set once at creation.
import { isRecord, type KubeObject } from '../../../api/types.js';
import { addQuantities, compareQuantities, tryParseQuantity, type Quantity } from '../../../api/quantity.js';

const QOS_RESOURCES = ['cpu', 'memory'];

function addPositive(into: Map<string, Quantity>, list: unknown, found?: Set<string>): void {
  if (!isRecord(list)) return;
  for (const [name, raw] of Object.entries(list)) {
    if (!QOS_RESOURCES.includes(name)) continue;
    const q = tryParseQuantity(String(raw));
    if (!q || q.nanos <= 0n) continue;
    found?.add(name);
    const prev = into.get(name);
    into.set(name, prev ? addQuantities(prev, q) : q);
  }
}

/** BestEffort without cpu/memory requests or limits; Guaranteed when every container limits both and requests equal limits; else Burstable. */
export function qosClass(pod: KubeObject): string {
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const containers = [
    ...(Array.isArray(spec.containers) ? spec.containers : []),
    ...(Array.isArray(spec.initContainers) ? spec.initContainers : []),
  ].filter(isRecord);
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  for (const c of containers) {
    const res = isRecord(c.resources) ? c.resources : {};
    addPositive(requests, res.requests);
    const found = new Set<string>();
    addPositive(limits, res.limits, found);
    if (!QOS_RESOURCES.every((r) => found.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (!lim || compareQuantities(lim, req) !== 0) guaranteed = false;
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
