// CRD status conditions: set one, keeping lastTransitionTime when the status did not change.
import { timestamp } from '../endpoints/meta.js';
import type { CRDCondition, CustomResourceDefinition } from './types.js';

export function setCondition(crd: CustomResourceDefinition, c: CRDCondition, now = new Date()): void {
  crd.status ??= {};
  const list = (crd.status.conditions ??= []);
  const i = list.findIndex((x) => x.type === c.type);
  const prev = i >= 0 ? list[i] : undefined;
  const next: CRDCondition = {
    type: c.type,
    status: c.status,
    lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : timestamp(now),
    reason: c.reason,
    message: c.message,
  };
  if (i >= 0) list[i] = next;
  else list.push(next);
}
