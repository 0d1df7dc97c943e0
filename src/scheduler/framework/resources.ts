// Resource arithmetic the scheduler does on every cycle, on plain numbers (cpu in millicores,
// everything else in units: bytes for memory, storage and hugepages, counts for pods and
// extended resources). Quantity strings are parsed once and remembered.
import { milliValue, parseQuantity, quantityValue } from '../../api/quantity.js';
import type { Pod } from './types.js';

export type ResourceList = Record<string, number>;

/** upstream's DefaultMilliCPURequest / DefaultMemoryRequest (used for scoring pods without requests) */
export const DEFAULT_MILLI_CPU = 100;
export const DEFAULT_MEMORY = 200 * 1024 * 1024;

const parsed = new Map<string, number>();
const parsedMilli = new Map<string, number>();

function amount(name: string, q: unknown): number {
  const s = typeof q === 'number' ? String(q) : typeof q === 'string' ? q : '';
  if (!s) return 0;
  const cache = name === 'cpu' ? parsedMilli : parsed;
  let v = cache.get(s);
  if (v === undefined) {
    try {
      const quantity = parseQuantity(s);
      v = Number(name === 'cpu' ? milliValue(quantity) : quantityValue(quantity));
    } catch {
      v = 0;
    }
    if (cache.size > 10_000) cache.clear();
    cache.set(s, v);
  }
  return v;
}

/** A core/v1 ResourceList (name → quantity string) as numbers. */
export function toResourceList(list: unknown): ResourceList {
  const out: ResourceList = {};
  if (!list || typeof list !== 'object') return out;
  for (const [k, v] of Object.entries(list as Record<string, unknown>)) out[k] = amount(k, v);
  return out;
}

function addInto(into: ResourceList, add: ResourceList): void {
  for (const [k, v] of Object.entries(add)) into[k] = (into[k] ?? 0) + v;
}

function maxInto(into: ResourceList, other: ResourceList): void {
  for (const [k, v] of Object.entries(other)) if (v > (into[k] ?? 0)) into[k] = v;
}

/**
 * What a pod asks of a node (upstream's resource.PodRequests): the sum of its containers'
 * requests; each regular init container runs alone (with the sidecars started before it), so
 * the pod needs the max of that and the sum; sidecars (restartPolicy Always) add up; then the
 * pod overhead.
 */
export function podRequests(pod: Pod): ResourceList {
  const reqs: ResourceList = {};
  for (const c of pod.spec.containers ?? []) addInto(reqs, toResourceList(c.resources?.requests));
  const sidecars: ResourceList = {};
  const initMax: ResourceList = {};
  for (const c of pod.spec.initContainers ?? []) {
    const r = toResourceList(c.resources?.requests);
    if (c.restartPolicy === 'Always') {
      addInto(reqs, r);
      addInto(sidecars, r);
      maxInto(initMax, { ...sidecars });
    } else {
      const during = { ...sidecars };
      addInto(during, r);
      maxInto(initMax, during);
    }
  }
  maxInto(reqs, initMax);
  if (pod.spec.overhead) addInto(reqs, toResourceList(pod.spec.overhead));
  return reqs;
}

/** cpu and memory as scoring counts them: containers without a request count the defaults. */
export function nonZeroRequests(pod: Pod): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const c of pod.spec.containers ?? []) {
    const r = toResourceList(c.resources?.requests);
    cpu += r.cpu === undefined ? DEFAULT_MILLI_CPU : r.cpu;
    memory += r.memory === undefined ? DEFAULT_MEMORY : r.memory;
  }
  let initCpu = 0;
  let initMem = 0;
  for (const c of pod.spec.initContainers ?? []) {
    const r = toResourceList(c.resources?.requests);
    const ic = r.cpu === undefined ? DEFAULT_MILLI_CPU : r.cpu;
    const im = r.memory === undefined ? DEFAULT_MEMORY : r.memory;
    if (c.restartPolicy === 'Always') {
      cpu += ic;
      memory += im;
    } else {
      initCpu = Math.max(initCpu, ic);
      initMem = Math.max(initMem, im);
    }
  }
  cpu = Math.max(cpu, initCpu);
  memory = Math.max(memory, initMem);
  if (pod.spec.overhead) {
    const o = toResourceList(pod.spec.overhead);
    cpu += o.cpu ?? 0;
    memory += o.memory ?? 0;
  }
  return { cpu, memory };
}
