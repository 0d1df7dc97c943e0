// Escalation prevention on RBAC writes (upstream's pkg/registry/rbac/*/policybased and
// rbac/validation ConfirmNoEscalation): nobody writes a role with rules they do not hold, nor
// binds a role whose rules they do not hold, unless system:masters, or allowed `escalate` on
// the role resource, or `bind` on the bound role.
import { forbidden, type StatusError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/types.js';
import type { UserInfo } from '../../endpoints/context.js';
import type { AuthorizationAttributes, Authorizer } from '../types.js';
import { compactRules, compactString, covers, goQuoted } from './covers.js';
import type { RuleResolver } from './resolver.js';
import type { PolicyRule, RoleRef } from './rules.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

export interface RbacWrite {
  operation: 'CREATE' | 'UPDATE';
  resource: 'roles' | 'clusterroles' | 'rolebindings' | 'clusterrolebindings';
  namespace: string;
  name: string;
  object: KubeObject;
  oldObject?: KubeObject;
  user: UserInfo;
}

/** upstream's apierrors.NewForbidden for an RBAC resource. */
function refused(w: RbacWrite, message: string): StatusError {
  const what = `${w.resource}.${RBAC_GROUP}`;
  const text = w.name
    ? `${what} ${JSON.stringify(w.name)} is forbidden: ${message}`
    : `${what} is forbidden: ${message}`;
  return forbidden(text, RBAC_GROUP, w.resource, w.name);
}

/** The message of ConfirmNoEscalation, or undefined when the user holds every rule. */
export function escalationMessage(
  resolver: RuleResolver,
  user: UserInfo,
  namespace: string,
  rules: PolicyRule[],
): string | undefined {
  const held = resolver.rulesFor(user, namespace);
  const { covered, missing } = covers(held.rules, rules);
  if (covered) return undefined;
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  let msg = `user ${JSON.stringify(user.name)} (groups=${goQuoted(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
  if (held.errors.length) msg += `; resolution errors: [${held.errors.join(' ')}]`;
  return msg;
}

/** Only ownerReferences or finalizers changed: the garbage collector may always do that. */
function onlyGCFieldsChange(obj: KubeObject, old: KubeObject | undefined): boolean {
  if (!old) return false;
  const strip = (o: KubeObject) => {
    const {
      ownerReferences: _o,
      finalizers: _f,
      resourceVersion: _r,
      managedFields: _m,
      ...meta
    } = o.metadata;
    return JSON.stringify({ ...o, metadata: meta });
  };
  return strip(obj) === strip(old);
}

function allowed(
  authorizer: Authorizer,
  attrs: Omit<AuthorizationAttributes, 'version' | 'subresource' | 'path' | 'resourceRequest'>,
): boolean {
  const r = authorizer.authorize({
    ...attrs,
    version: '*',
    subresource: '',
    path: '',
    resourceRequest: true,
  });
  // the authorizers given here answer synchronously (RBAC and the privileged group)
  return !(r instanceof Promise) && r.decision === 'allow';
}

/** Throws upstream's Forbidden when the write would grant what its author does not hold. */
export function checkRbacWrite(w: RbacWrite, resolver: RuleResolver, authorizer: Authorizer): void {
  if (w.user.groups.includes('system:masters')) return;
  if (w.operation === 'UPDATE' && onlyGCFieldsChange(w.object, w.oldObject)) return;
  const namespace = w.resource === 'roles' || w.resource === 'rolebindings' ? w.namespace : '';
  if (w.resource === 'roles' || w.resource === 'clusterroles') {
    const escalate = {
      user: w.user,
      verb: 'escalate',
      group: RBAC_GROUP,
      resource: w.resource,
      namespace,
      name: w.name,
    };
    if (allowed(authorizer, escalate)) return;
    const msg = escalationMessage(
      resolver,
      w.user,
      namespace,
      (w.object.rules as PolicyRule[] | null | undefined) ?? [],
    );
    if (msg) throw refused(w, msg);
    // an aggregation rule can gather anything: setting one takes full authority
    if (w.resource === 'clusterroles' && (w.object.aggregationRule || w.oldObject?.aggregationRule)) {
      if (escalationMessage(resolver, w.user, '', FULL_AUTHORITY))
        throw refused(w, 'must have cluster-admin privileges to use the aggregationRule');
    }
    return;
  }
  const ref = w.object.roleRef as RoleRef | undefined;
  if (!ref) return;
  const bind = {
    user: w.user,
    verb: 'bind',
    group: ref.apiGroup ?? RBAC_GROUP,
    resource: ref.kind === 'Role' ? 'roles' : ref.kind === 'ClusterRole' ? 'clusterroles' : '',
    namespace,
    name: ref.name,
  };
  if (bind.resource && allowed(authorizer, bind)) return;
  const rules = resolver.roleRefRules(ref, namespace, true);
  if (typeof rules === 'string') throw refused(w, rules);
  const msg = escalationMessage(resolver, w.user, namespace, rules);
  if (msg) throw refused(w, msg);
}
