// nodes (no)
import type { KubeObject } from '../../../api/types.js';
import { defineResource } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';

interface NodeStatus {
  conditions?: { type: string; status: string }[];
  addresses?: { type: string; address: string }[];
  nodeInfo?: { kubeletVersion?: string; osImage?: string; kernelVersion?: string; containerRuntimeVersion?: string };
}
const status = (n: KubeObject) => (n.status ?? {}) as NodeStatus;

function statusText(n: KubeObject): string {
  const ready = status(n).conditions?.find((c) => c.type === 'Ready');
  let s = ready?.status === 'True' ? 'Ready' : 'NotReady';
  if (!ready) s = 'Unknown';
  if ((n.spec as { unschedulable?: boolean } | undefined)?.unschedulable) s += ',SchedulingDisabled';
  return s;
}

function roles(n: KubeObject): string {
  const r: string[] = [];
  for (const [k, v] of Object.entries(n.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) r.push(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) r.push(v);
  }
  return r.length ? r.sort().join(',') : '<none>';
}

const address = (n: KubeObject, type: string) => status(n).addresses?.find((a) => a.type === type)?.address ?? '<none>';

export const nodes = defineResource({
  group: '',
  version: 'v1',
  resource: 'nodes',
  kind: 'Node',
  namespaced: false,
  shortNames: ['no'],
  definition: 'io.k8s.api.core.v1.Node',
  status: true,
  table: {
    columns: [
      nameColumn,
      col('Status', 'Whether the node is ready and schedulable.'),
      col('Roles', 'The node-role labels of the node.'),
      ageColumn,
      col('Version', 'The kubelet version.'),
      col('Internal-IP', 'The internal address.', 1),
      col('External-IP', 'The external address.', 1),
      col('OS-Image', 'The operating system image.', 1),
      col('Kernel-Version', 'The kernel version.', 1),
      col('Container-Runtime', 'The container runtime and its version.', 1),
    ],
    cells: (n, now) => {
      const info = status(n).nodeInfo ?? {};
      return [
        n.metadata.name,
        statusText(n),
        roles(n),
        age(n.metadata.creationTimestamp, now),
        info.kubeletVersion ?? '',
        address(n, 'InternalIP'),
        address(n, 'ExternalIP'),
        info.osImage || '<unknown>',
        info.kernelVersion || '<unknown>',
        info.containerRuntimeVersion || '<unknown>',
      ];
    },
  },
  fieldSelectors: { 'spec.unschedulable': (n) => String((n.spec as { unschedulable?: boolean } | undefined)?.unschedulable ?? false) },
});
