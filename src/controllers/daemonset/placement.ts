// Where a DaemonSet runs (daemon_controller.go, util/daemonset_util.go): a node fits when the
// template's nodeName, nodeSelector and required node affinity match it and its NoSchedule and
// NoExecute taints are tolerated; daemon pods get upstream's default tolerations and a
// required node affinity on metadata.name so that the scheduler puts each on its node.
import type { KubeObject } from '../../api/types.js';
import type { PodTemplateSpec } from '../common/objects.js';
import type {
  NodeSelectorRequirement,
  NodeSelectorTerm,
  Taint,
  Toleration,
  Affinity,
  PodSpec,
} from 'kubernetes-types/core/v1.js';

export interface NodeView extends KubeObject {
  spec?: { taints?: Taint[]; unschedulable?: boolean };
}

/** AddOrUpdateDaemonPodTolerations, in upstream's order. */
export function daemonTolerations(spec: PodSpec): Toleration[] {
  const out = [...(spec.tolerations ?? [])];
  const add = (key: string, effect: 'NoExecute' | 'NoSchedule') => {
    const i = out.findIndex((t) => t.key === key && t.effect === effect);
    const t: Toleration = { key, operator: 'Exists', effect };
    if (i >= 0) out[i] = t;
    else out.push(t);
  };
  add('node.kubernetes.io/not-ready', 'NoExecute');
  add('node.kubernetes.io/unreachable', 'NoExecute');
  add('node.kubernetes.io/disk-pressure', 'NoSchedule');
  add('node.kubernetes.io/memory-pressure', 'NoSchedule');
  add('node.kubernetes.io/pid-pressure', 'NoSchedule');
  add('node.kubernetes.io/unschedulable', 'NoSchedule');
  if (spec.hostNetwork) add('node.kubernetes.io/network-unavailable', 'NoSchedule');
  return out;
}

export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

function untolerated(taints: Taint[], tolerations: Toleration[], effects: string[]): boolean {
  return taints.some(
    (taint) => effects.includes(taint.effect) && !tolerations.some((t) => tolerates(t, taint)),
  );
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || !/^-?\d+$/.test(value) || values.length !== 1) return false;
      return r.operator === 'Gt' ? Number(value) > Number(values[0]) : Number(value) < Number(values[0]);
    }
    default:
      return false;
  }
}

function termMatches(term: NodeSelectorTerm, node: NodeView): boolean {
  const labels = node.metadata.labels ?? {};
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  // an empty term matches nothing
  if (!exprs.length && !fields.length) return false;
  return (
    exprs.every((r) => requirementMatches(r, labels[r.key])) &&
    fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, node.metadata.name))
  );
}

export function fitsAffinity(spec: PodSpec, node: NodeView): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some((t) => termMatches(t, node));
}

/** nodeShouldRunDaemonPod: [shouldRun, shouldContinueRunning] */
export function shouldRun(template: PodTemplateSpec, node: NodeView): [boolean, boolean] {
  const spec = template.spec ?? { containers: [] };
  if (spec.nodeName && spec.nodeName !== node.metadata.name) return [false, false];
  if (!fitsAffinity(spec, node)) return [false, false];
  const tolerations = daemonTolerations(spec);
  const taints = node.spec?.taints ?? [];
  if (untolerated(taints, tolerations, ['NoSchedule', 'NoExecute']))
    return [false, !untolerated(taints, tolerations, ['NoExecute'])];
  return [true, true];
}

/** ReplaceDaemonSetPodNodeNameNodeAffinity */
export function nodeAffinityFor(affinity: Affinity | undefined, nodeName: string): Affinity {
  const term: NodeSelectorTerm = {
    matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }],
  };
  const a = structuredClone(affinity ?? {});
  a.nodeAffinity ??= {};
  if (!a.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution)
    a.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [term] };
  else a.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms = [term];
  return a;
}

/** GetTargetNodeName: the node a daemon pod is bound to, or pinned to by its affinity. */
export function targetNode(spec: PodSpec | undefined): string | undefined {
  if (spec?.nodeName) return spec.nodeName;
  for (const t of spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
    ?.nodeSelectorTerms ?? [])
    for (const f of t.matchFields ?? [])
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  return undefined;
}
