// Small builders for scheduler unit tests.
import { NodeInfo, podInfo } from '../../../src/scheduler/framework/node-info.js';
import type { ContainerSpec, Node, Pod, PodSpec, Taint } from '../../../src/scheduler/framework/types.js';

export function node(
  name: string,
  opts: {
    alloc?: Record<string, string>;
    labels?: Record<string, string>;
    taints?: Taint[];
    unschedulable?: boolean;
    images?: { names: string[]; sizeBytes: number }[];
  } = {},
): NodeInfo {
  const n: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...opts.labels } },
    spec: { taints: opts.taints, unschedulable: opts.unschedulable },
    status: { allocatable: opts.alloc ?? { cpu: '4', memory: '8Gi', pods: '110' }, images: opts.images },
  };
  return new NodeInfo(n);
}

let seq = 0;
export function pod(
  spec: Partial<PodSpec> = {},
  meta: { name?: string; labels?: Record<string, string>; namespace?: string } = {},
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: meta.name ?? `p${++seq}`,
      namespace: meta.namespace ?? 'default',
      uid: `uid-${seq}`,
      labels: meta.labels,
    },
    spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec },
  };
}

export const requesting = (
  requests: Record<string, string>,
  extra: Partial<ContainerSpec> = {},
): ContainerSpec => ({
  name: 'c',
  image: 'nginx',
  resources: { requests },
  ...extra,
});

export function place(n: NodeInfo, p: Pod): void {
  n.addPod(podInfo({ ...p, spec: { ...p.spec, nodeName: n.name } }));
}
