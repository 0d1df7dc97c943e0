// The 403 a refused request gets, worded as upstream's responsewriters.forbiddenMessage and
// apierrors.NewForbidden (kubectl prints it after "Error from server (Forbidden): ").
import { forbidden, type StatusError } from '../../api/errors.js';
import { groupResource } from '../../api/types.js';
import type { AuthorizationAttributes } from './types.js';

export function forbiddenMessage(a: AuthorizationAttributes): string {
  const user = a.user.name;
  if (!a.resourceRequest)
    return `User ${JSON.stringify(user)} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : 'at the cluster scope';
  return `User ${JSON.stringify(user)} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.group)} ${where}`;
}

export function forbiddenError(a: AuthorizationAttributes, reason: string): StatusError {
  const msg = forbiddenMessage(a) + (reason ? `: ${reason}` : '');
  if (!a.resourceRequest) return forbidden(`forbidden: ${msg}`);
  // upstream's ForbiddenStatusError names the resource without its subresource here (only the
  // message says "pods/exec"): `pods "web" is forbidden: User ... cannot create resource "pods/exec"`
  const what = groupResource(a.group, a.resource);
  const text = a.name
    ? `${what} ${JSON.stringify(a.name)} is forbidden: ${msg}`
    : `${what} is forbidden: ${msg}`;
  return forbidden(text, a.group, a.resource, a.name);
}
