// nodes (no): allocatable defaulted from capacity, the fields an update may only set once,
// taints, and upstream's table.
import { isRecord, type KubeObject } from '../../../api/types.js';
import { defineResource } from '../define.js';
import { validateNodeResources } from './node-resources.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import {
  fieldErrors,
  forbidden,
  isQualifiedName,
  notSupported,
  required,
  type FieldError,
} from '../validation.js';

type Obj = Record<string, unknown>;
interface NodeStatus {
  conditions?: { type: string; status: string }[];
  addresses?: { type: string; address: string }[];
  nodeInfo?: {
    kubeletVersion?: string;
    osImage?: string;
    kernelVersion?: string;
    containerRuntimeVersion?: string;
  };
}
const ROLE_PREFIX = 'node-role.kubernetes.io/';
const TAINT_EFFECTS = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'];

const spec = (n: KubeObject): Obj => (isRecord(n.spec) ? n.spec : {});
const status = (n: KubeObject) => (isRecord(n.status) ? n.status : {}) as NodeStatus;

function statusText(n: KubeObject): string {
  const ready = status(n).conditions?.find((c) => c.type === 'Ready');
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (spec(n).unschedulable === true) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function roles(n: KubeObject): string {
  const found = new Set<string>();
  for (const [k, v] of Object.entries(n.metadata.labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX)) {
      const role = k.slice(ROLE_PREFIX.length);
      if (role) found.add(role);
    } else if (k === 'kubernetes.io/role' && v) found.add(v);
  }
  return found.size ? [...found].sort().join(',') : '<none>';
}

const address = (n: KubeObject, type: string) =>
  status(n).addresses?.find((a) => a.type === type)?.address ?? '<none>';

function validateTaints(n: KubeObject): FieldError[] {
  const taints = Array.isArray(spec(n).taints) ? (spec(n).taints as unknown[]).filter(isRecord) : [];
  const errs: FieldError[] = [];
  taints.forEach((t, i) => {
    const p = `spec.taints[${i}]`;
    const key = typeof t.key === 'string' ? t.key : '';
    errs.push(...fieldErrors(`${p}.key`, key, isQualifiedName(key)));
    if (!t.effect) errs.push(required(`${p}.effect`));
    else if (!TAINT_EFFECTS.includes(String(t.effect)))
      errs.push(notSupported(`${p}.effect`, t.effect, TAINT_EFFECTS));
  });
  return errs;
}

function validateNodeUpdate(n: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const before = spec(old);
  const now = spec(n);
  // podCIDR(s) and providerID may go from unset to set, never change afterwards
  const cidrs = JSON.stringify(before.podCIDRs ?? []);
  if ((before.podCIDRs as unknown[] | undefined)?.length && JSON.stringify(now.podCIDRs ?? []) !== cidrs)
    errs.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  if (before.providerID && now.providerID !== before.providerID)
    errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  return errs;
}

export const nodes = defineResource({
  group: '',
  version: 'v1',
  resource: 'nodes',
  kind: 'Node',
  namespaced: false,
  shortNames: ['no'],
  definition: 'io.k8s.api.core.v1.Node',
  status: true,
  defaults(n) {
    // allocatable is the whole capacity unless the kubelet reports otherwise
    const st = isRecord(n.status) ? n.status : undefined;
    if (st && isRecord(st.capacity) && st.allocatable === undefined) st.allocatable = { ...st.capacity };
  },
  validate: (n) => [...validateTaints(n), ...validateNodeResources(n)],
  // the store runs validate on updates too, where upstream's ValidateNodeUpdate checks them again
  validateUpdate: validateNodeUpdate,
  table: {
    columns: [
      nameColumn,
      col('Status', 'Readiness of the node, and whether scheduling on it is disabled.'),
      col('Roles', 'Roles taken from the node-role.kubernetes.io/* labels.'),
      ageColumn,
      col('Version', 'Version of the kubelet on the node.'),
      col('Internal-IP', 'The first internal address of the node.', 1),
      col('External-IP', 'The first external address of the node.', 1),
      col('OS-Image', 'Operating system image the node reports.', 1),
      col('Kernel-Version', 'Kernel version the node reports.', 1),
      col('Container-Runtime', 'Container runtime and version the node reports.', 1),
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
  fieldSelectors: { 'spec.unschedulable': (n) => String(spec(n).unschedulable === true) },
});
