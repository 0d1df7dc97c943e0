// An in-memory RbacSource for unit tests: objects added or removed notify the resolver as the
// watch caches do.
import type { KubeObject } from '../../../src/api/types.js';
import type { RbacKind, RbacSource, RbacWatchHandler } from '../../../src/apiserver/auth/rbac/resolver.js';
import type { PolicyRule, Subject } from '../../../src/apiserver/auth/rbac/rules.js';
import type { UserInfo } from '../../../src/apiserver/endpoints/context.js';
import type { AuthorizationAttributes } from '../../../src/apiserver/auth/types.js';

const RBAC = 'rbac.authorization.k8s.io';

export class FakeSource implements RbacSource {
  private readonly objects = new Map<string, KubeObject>();
  private readonly handlers = new Map<string, RbacWatchHandler[]>();

  private static key(kind: RbacKind, ns: string, name: string) {
    return `/registry/${kind}/${ns ? `${ns}/` : ''}${name}`;
  }

  follow(kind: 'rolebindings' | 'clusterrolebindings', handler: RbacWatchHandler) {
    const list = this.handlers.get(kind) ?? [];
    this.handlers.set(kind, [...list, handler]);
    for (const [k, o] of this.objects) if (k.startsWith(`/registry/${kind}/`)) handler.upsert(k, o);
    return { dispose: () => undefined };
  }

  get(kind: RbacKind, ns: string, name: string) {
    return this.objects.get(FakeSource.key(kind, ns, name));
  }

  put(kind: RbacKind, obj: KubeObject): this {
    const k = FakeSource.key(kind, obj.metadata.namespace ?? '', obj.metadata.name!);
    this.objects.set(k, obj);
    for (const h of this.handlers.get(kind) ?? []) h.upsert(k, obj);
    return this;
  }

  remove(kind: RbacKind, ns: string, name: string): void {
    const k = FakeSource.key(kind, ns, name);
    this.objects.delete(k);
    for (const h of this.handlers.get(kind) ?? []) h.remove(k);
  }

  clusterRole(name: string, rules: PolicyRule[]): this {
    return this.put('clusterroles', {
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRole',
      metadata: { name },
      rules,
    });
  }

  role(ns: string, name: string, rules: PolicyRule[]): this {
    return this.put('roles', {
      apiVersion: `${RBAC}/v1`,
      kind: 'Role',
      metadata: { name, namespace: ns },
      rules,
    });
  }

  clusterBinding(name: string, role: string, subjects: Subject[]): this {
    return this.put('clusterrolebindings', {
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: { name },
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: role },
      subjects,
    });
  }

  binding(
    ns: string,
    name: string,
    roleKind: 'Role' | 'ClusterRole',
    role: string,
    subjects: Subject[],
  ): this {
    return this.put('rolebindings', {
      apiVersion: `${RBAC}/v1`,
      kind: 'RoleBinding',
      metadata: { name, namespace: ns },
      roleRef: { apiGroup: RBAC, kind: roleKind, name: role },
      subjects,
    });
  }
}

export const U = (name: string): Subject => ({ kind: 'User', apiGroup: RBAC, name });
export const G = (name: string): Subject => ({ kind: 'Group', apiGroup: RBAC, name });
export const SA = (name: string, namespace?: string): Subject =>
  namespace ? { kind: 'ServiceAccount', name, namespace } : { kind: 'ServiceAccount', name };

export function user(name: string, groups: string[] = []): UserInfo {
  return { name, groups: [...groups, 'system:authenticated'] };
}

/** A resource request: 'get', 'pods' or 'pods/log', in namespace ns, named name. */
export function req(
  u: UserInfo,
  verb: string,
  resource: string,
  opts: { group?: string; ns?: string; name?: string } = {},
): AuthorizationAttributes {
  const [res, sub = ''] = resource.split('/');
  return {
    user: u,
    verb,
    resourceRequest: true,
    group: opts.group ?? '',
    version: 'v1',
    resource: res,
    subresource: sub,
    namespace: opts.ns ?? '',
    name: opts.name ?? '',
    path: '',
  };
}

export function urlReq(u: UserInfo, verb: string, path: string): AuthorizationAttributes {
  return { ...req(u, verb, ''), resourceRequest: false, resource: '', path };
}
