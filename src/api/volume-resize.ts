// What the volume-expansion steps (the expand controller, a resizer, the kubelet's node step)
// read and write on a claim: its storage sizes and upstream's two resize conditions, Resizing
// (the controller side is at work) and FileSystemResizePending (the node has to finish).
import { tryParseQuantity } from './quantity.js';
import { isRecord, type KubeObject } from './types.js';

export const RESIZING = 'Resizing';
export const FS_RESIZE_PENDING = 'FileSystemResizePending';
export const FS_RESIZE_PENDING_MESSAGE =
  'Waiting for user to (re-)start a pod to finish file system resize of volume on node.';
/** Set on the PV while the node step is due (external-resizer's AnnPreResizeCapacity). */
export const ANN_PRE_RESIZE_CAPACITY = 'volume.alpha.kubernetes.io/pre-resize-capacity';
const RESIZE_CONDITIONS = new Set([RESIZING, FS_RESIZE_PENDING]);

export interface ClaimCondition {
  type: string;
  status: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (isRecord(v) ? v : {});

function storageNanos(list: unknown): bigint | undefined {
  const s = rec(list).storage;
  return s === undefined ? undefined : tryParseQuantity(String(s))?.nanos;
}

/** The claim's spec.resources.requests.storage, as given. */
export const requestText = (pvc: KubeObject): string | undefined => {
  const s = rec(rec(rec(pvc.spec).resources).requests).storage;
  return s === undefined ? undefined : String(s);
};
export const requestNanos = (pvc: KubeObject) => storageNanos(rec(rec(pvc.spec).resources).requests);
export const claimCapacityNanos = (pvc: KubeObject) => storageNanos(rec(pvc.status).capacity);
export const volumeCapacityNanos = (pv: KubeObject) => storageNanos(rec(pv.spec).capacity);

export function claimConditions(pvc: KubeObject): ClaimCondition[] {
  const c = rec(pvc.status).conditions;
  return Array.isArray(c) ? (c as ClaimCondition[]) : [];
}

export const hasCondition = (pvc: KubeObject, type: string) =>
  claimConditions(pvc).some((c) => c.type === type && c.status === 'True');

/**
 * upstream's MergeResizeConditionsOfPVC: the claim's resize conditions replaced by `next` (a
 * condition of the same type keeps its transition time), the others kept.
 */
export function mergeResizeConditions(pvc: KubeObject, next: ClaimCondition[]): ClaimCondition[] {
  const old = claimConditions(pvc);
  const kept = old.filter((c) => !RESIZE_CONDITIONS.has(c.type));
  return [
    ...kept,
    ...next.map((n) => {
      const same = old.find((o) => o.type === n.type && o.status === n.status);
      return same?.lastTransitionTime ? { ...n, lastTransitionTime: same.lastTransitionTime } : n;
    }),
  ];
}

export function resizeCondition(type: string, now: Date, message?: string): ClaimCondition {
  return {
    type,
    status: 'True',
    lastProbeTime: null,
    lastTransitionTime: now.toISOString().replace(/\.\d+Z$/, 'Z'),
    ...(message ? { message } : {}),
  };
}
