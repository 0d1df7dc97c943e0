// The downward API's values (upstream's fieldpath.ExtractFieldPathAsString and
// resource.ExtractContainerResourceValue), shared by downwardAPI volumes and env valueFrom.
import { cpus, totalmem } from 'node:os';
import { milliValue, quantityValue, tryParseQuantity } from '../../api/quantity.js';
import type { Pod } from '../runtime/types.js';

export interface FieldRef {
  fieldPath: string;
  apiVersion?: string;
}

export interface ResourceFieldRef {
  containerName?: string;
  resource: string;
  divisor?: string | number;
}

interface ResourcedContainer {
  name: string;
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
}

/** upstream's FormatMap: sorted `key="value"` lines. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join('\n');
}

/** The value of a fieldRef; `status` carries what only the kubelet knows (pod and host IPs). */
export function fieldRefValue(
  pod: Pod,
  path: string,
  status: { podIP?: string; hostIP?: string } = {},
): string {
  const md = pod.metadata;
  const sub = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (sub) return (sub[1] === 'labels' ? md.labels : md.annotations)?.[sub[2]] ?? '';
  const spec = pod.spec as { nodeName?: string; serviceAccountName?: string };
  switch (path) {
    case 'metadata.name':
      return md.name ?? '';
    case 'metadata.namespace':
      return md.namespace ?? '';
    case 'metadata.uid':
      return md.uid ?? '';
    case 'metadata.labels':
      return formatMap(md.labels);
    case 'metadata.annotations':
      return formatMap(md.annotations);
    case 'spec.nodeName':
      return spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return spec.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return status.hostIP ?? '';
    case 'status.podIP':
    case 'status.podIPs':
      return status.podIP ?? '';
  }
  throw new Error(`unsupported fieldPath: ${path}`);
}

/** What the node can give a container without a limit (as identity.ts reports allocatable). */
function nodeAllocatable(resource: string): string | undefined {
  if (resource === 'cpu') return String(cpus().length);
  if (resource === 'memory') return String(Math.max(0, totalmem() - 100 * 1024 * 1024));
  return undefined;
}

/**
 * requests.cpu, limits.memory, ...: the container's quantity divided by divisor, rounded up;
 * a missing limit is the node's allocatable, as upstream's MergeContainerResourceLimits.
 */
export function resourceFieldRefValue(pod: Pod, ref: ResourceFieldRef, containerName: string): string {
  const containers = [
    ...((pod.spec.initContainers ?? []) as ResourcedContainer[]),
    ...(pod.spec.containers as ResourcedContainer[]),
  ];
  const name = ref.containerName || containerName;
  const c = containers.find((x) => x.name === name);
  if (!c) throw new Error(`container ${name} not found`);
  const m = /^(limits|requests)\.(.+)$/.exec(ref.resource) ?? [ref.resource, 'limits', ref.resource];
  const [, kind, resource] = m;
  let text = c.resources?.[kind as 'limits' | 'requests']?.[resource];
  if (text === undefined && kind === 'limits') text = nodeAllocatable(resource);
  if (text === undefined && kind === 'requests') text = '0';
  const q = tryParseQuantity(text ?? '0');
  const d = tryParseQuantity(String(ref.divisor ?? '1'));
  if (!q || !d) throw new Error(`unsupported container resource : ${ref.resource}`);
  if (resource === 'cpu') {
    const div = Number(milliValue(d)) || 1;
    return String(Math.ceil(Number(milliValue(q)) / div));
  }
  const div = Number(quantityValue(d)) || 1;
  return String(Math.ceil(Number(quantityValue(q)) / div));
}
