// How admission refusals look (k8s.io/apiserver admission.NewForbidden): 403 Forbidden with
// `<resource> "<name>" is forbidden: <why>`, the name falling back to generateName, then "Unknown".
import { forbidden, type StatusError } from '../../api/errors.js';
import { groupResource } from '../../api/types.js';
import type { AdmissionRequest } from './types.js';

/** upstream's extractResourceName */
function targetName(req: AdmissionRequest): string {
  if (req.name) return req.name;
  const meta = req.object?.metadata;
  return meta?.name || meta?.generateName || 'Unknown';
}

export function admissionForbidden(req: AdmissionRequest, why: string): StatusError {
  const name = targetName(req);
  return forbidden(
    `${groupResource(req.group, req.resource)} "${name}" is forbidden: ${why}`,
    req.group,
    req.resource,
    name,
  );
}

/**
 * utilerrors.NewAggregate(...).Error(): one message alone, several (duplicates dropped) as
 * `[a, b]`.
 */
export function aggregateMessage(messages: string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}
