// Impersonation (k8s.io/apiserver's WithImpersonation): Impersonate-User, Impersonate-Group,
// Impersonate-Uid and Impersonate-Extra-<key> headers make the request run as another user,
// when the requester may `impersonate` each of them: users, groups and serviceaccounts in the
// core group, userextras/<key> and uids in authentication.k8s.io. A refusal is upstream's
// Forbidden (`users "x" is forbidden: User "y" cannot impersonate resource "users" in API
// group "" at the cluster scope`).
import { badRequest } from '../../../api/errors.js';
import type { UserInfo } from '../../endpoints/context.js';
import type { Req } from '../../http/io.js';
import { forbiddenError } from '../forbidden.js';
import type { AuthorizationAttributes, Authorizer } from '../types.js';
import { ALL_AUTHENTICATED, ALL_UNAUTHENTICATED } from './chain.js';
import { headerPairs, headerValues } from './headers.js';
import { serviceAccountGroups, serviceAccountUsername, splitServiceAccountUsername } from './sa-claims.js';

const EXTRA_PREFIX = 'impersonate-extra-';
const ANONYMOUS = 'system:anonymous';

/** One thing asked to be impersonated, as upstream's ObjectReference list. */
interface ImpersonationRequest {
  kind: 'ServiceAccount' | 'User' | 'Group' | 'UserExtra' | 'UID';
  namespace?: string;
  name: string;
  /** UserExtra: the extra key. */
  key?: string;
}

function unescapeExtraKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded; // always record extra strings, even if malformed
  }
}

/**
 * How upstream prints the list in its BadRequest: Go's %v of v1.ObjectReference values
 * (Kind Namespace Name UID APIVersion ResourceVersion FieldPath).
 */
function describe(reqs: ImpersonationRequest[]): string {
  const one = (r: ImpersonationRequest) => {
    const apiVersion = r.kind === 'UserExtra' || r.kind === 'UID' ? 'authentication.k8s.io/v1' : '';
    return `{${[r.kind, r.namespace ?? '', r.name, '', apiVersion, '', r.key ?? ''].join(' ')}}`;
  };
  return `[${reqs.map(one).join(' ')}]`;
}

export function impersonationRequests(req: Req): ImpersonationRequest[] {
  const out: ImpersonationRequest[] = [];
  const user = headerValues(req, 'impersonate-user')[0] ?? '';
  if (user) {
    const sa = splitServiceAccountUsername(user);
    out.push(
      sa ? { kind: 'ServiceAccount', namespace: sa.namespace, name: sa.name } : { kind: 'User', name: user },
    );
  }
  const groups = headerValues(req, 'impersonate-group');
  for (const g of groups) out.push({ kind: 'Group', name: g });
  let hasExtra = false;
  for (const [name, value] of headerPairs(req)) {
    if (!name.startsWith(EXTRA_PREFIX)) continue;
    hasExtra = true;
    out.push({ kind: 'UserExtra', key: unescapeExtraKey(name.slice(EXTRA_PREFIX.length)), name: value });
  }
  const uid = headerValues(req, 'impersonate-uid')[0] ?? '';
  if (uid) out.push({ kind: 'UID', name: uid });
  if ((groups.length > 0 || hasExtra || uid) && !user)
    throw badRequest(`requested ${describe(out)} without impersonating a user`);
  return out;
}

function attributesFor(requestor: UserInfo, r: ImpersonationRequest): AuthorizationAttributes {
  const core = r.kind === 'ServiceAccount' || r.kind === 'User' || r.kind === 'Group';
  const resource = {
    ServiceAccount: 'serviceaccounts',
    User: 'users',
    Group: 'groups',
    UserExtra: 'userextras',
    UID: 'uids',
  }[r.kind];
  return {
    user: requestor,
    verb: 'impersonate',
    resourceRequest: true,
    group: core ? '' : 'authentication.k8s.io',
    version: core ? '' : 'v1',
    resource,
    subresource: r.kind === 'UserExtra' ? (r.key ?? '') : '',
    namespace: r.namespace ?? '',
    name: r.name,
    path: '',
  };
}

/**
 * The user the request acts as: `requestor` itself without impersonation headers, else the
 * impersonated user once the authorizer allowed every part of it.
 */
export async function impersonate(req: Req, requestor: UserInfo, authorizer: Authorizer): Promise<UserInfo> {
  const reqs = impersonationRequests(req);
  if (reqs.length === 0) return requestor;
  const groupsSpecified = headerValues(req, 'impersonate-group').length > 0;
  let name = '';
  let groups: string[] = [];
  const extra: Record<string, string[]> = {};
  let uid = '';
  for (const r of reqs) {
    const attrs = attributesFor(requestor, r);
    switch (r.kind) {
      case 'ServiceAccount':
        name = serviceAccountUsername(r.namespace!, r.name);
        if (!groupsSpecified) groups = serviceAccountGroups(r.namespace!);
        break;
      case 'User':
        name = r.name;
        break;
      case 'Group':
        groups.push(r.name);
        break;
      case 'UserExtra':
        (extra[r.key!] ??= []).push(r.name);
        break;
      case 'UID':
        uid = r.name;
        break;
    }
    const { decision, reason } = await authorizer.authorize(attrs);
    if (decision !== 'allow') throw forbiddenError(attrs, reason);
  }
  if (name !== ANONYMOUS) {
    if (!groups.includes(ALL_AUTHENTICATED) && !groups.includes(ALL_UNAUTHENTICATED))
      groups.push(ALL_AUTHENTICATED);
  } else if (!groups.includes(ALL_UNAUTHENTICATED)) groups.push(ALL_UNAUTHENTICATED);
  const user: UserInfo = { name, groups };
  if (uid) user.uid = uid;
  if (Object.keys(extra).length) user.extra = extra;
  return user;
}
