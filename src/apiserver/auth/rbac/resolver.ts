// Which rules a user holds (upstream's rbac/validation DefaultRuleResolver), answered from
// the API server's watch caches. Bindings are indexed by subject so that a decision looks at
// the bindings naming the user or one of its groups only, not at every binding there is.
import type { KubeObject } from '../../../api/types.js';
import type { UserInfo } from '../../endpoints/context.js';
import {
  describeSubject,
  serviceAccountUsername,
  type PolicyRule,
  type RoleRef,
  type Subject,
} from './rules.js';

export type RbacKind = 'roles' | 'clusterroles' | 'rolebindings' | 'clusterrolebindings';

export interface RbacWatchHandler {
  upsert(key: string, obj: KubeObject): void;
  remove(key: string): void;
  /** The source lost track (e.g. the cache re-listed): forget everything; upserts follow. */
  reset(): void;
}

/** Where RBAC objects come from: the watch caches in the API server, a fake in tests. */
export interface RbacSource {
  follow(kind: 'rolebindings' | 'clusterrolebindings', handler: RbacWatchHandler): { dispose(): void };
  get(kind: RbacKind, namespace: string, name: string): KubeObject | undefined;
}

/** Called for each rule the user holds, with where it comes from; return false to stop. */
export type RuleVisitor = (
  source: string | undefined,
  rule: PolicyRule | undefined,
  error?: string,
) => boolean;

interface Binding extends KubeObject {
  roleRef?: RoleRef;
  subjects?: Subject[] | null;
}

/** Index keys a subject is found under: users (service accounts by their user name) and groups. */
function subjectKey(s: Subject, bindingNamespace: string): string | undefined {
  switch (s.kind) {
    case 'User':
      return `u:${s.name}`;
    case 'Group':
      return `g:${s.name}`;
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return ns ? `u:${serviceAccountUsername(ns, s.name)}` : undefined;
    }
    default:
      return undefined;
  }
}

function appliesTo(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return user.name === s.name;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return ns !== '' && user.name === serviceAccountUsername(ns, s.name);
    }
    default:
      return false;
  }
}

/** Bindings by the subject keys they name; namespaced bindings are keyed within their namespace. */
class BindingIndex {
  private readonly bySubject = new Map<string, Set<string>>();
  private readonly keysOf = new Map<string, string[]>();
  private readonly objects = new Map<string, Binding>();

  constructor(private readonly namespaced: boolean) {}

  upsert(key: string, b: Binding): void {
    this.remove(key);
    const ns = this.namespaced ? (b.metadata.namespace ?? '') : '';
    const keys = new Set<string>();
    for (const s of b.subjects ?? []) {
      const k = subjectKey(s, ns);
      if (k) keys.add(this.namespaced ? `${ns}\u0000${k}` : k);
    }
    this.keysOf.set(key, [...keys]);
    this.objects.set(key, b);
    for (const k of keys) {
      let set = this.bySubject.get(k);
      if (!set) this.bySubject.set(k, (set = new Set()));
      set.add(key);
    }
  }

  remove(key: string): void {
    for (const k of this.keysOf.get(key) ?? []) {
      const set = this.bySubject.get(k);
      set?.delete(key);
      if (set?.size === 0) this.bySubject.delete(k);
    }
    this.keysOf.delete(key);
    this.objects.delete(key);
  }

  clear(): void {
    this.bySubject.clear();
    this.keysOf.clear();
    this.objects.clear();
  }

  get size(): number {
    return this.objects.size;
  }

  /** The bindings that may apply to the user, in key order (so "allowed by" reasons are stable). */
  candidates(user: UserInfo, namespace: string): Binding[] {
    const prefix = this.namespaced ? `${namespace}\u0000` : '';
    const found = new Set<string>();
    const add = (k: string) => {
      for (const key of this.bySubject.get(prefix + k) ?? []) found.add(key);
    };
    add(`u:${user.name}`);
    for (const g of user.groups) add(`g:${g}`);
    const keys = [...found];
    if (keys.length > 1) keys.sort();
    return keys.map((k) => this.objects.get(k)!);
  }
}

/** upstream's utilerrors.NewAggregate(...).Error(): one message alone, several as `[a, b]` without repeats. */
export function aggregateMessage(errors: string[]): string {
  const unique = [...new Set(errors)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

export class RuleResolver {
  private readonly clusterBindings = new BindingIndex(false);
  private readonly bindings = new BindingIndex(true);
  private readonly subscriptions: { dispose(): void }[];

  constructor(private readonly source: RbacSource) {
    const follow = (index: BindingIndex): RbacWatchHandler => ({
      upsert: (k, o) => index.upsert(k, o as Binding),
      remove: (k) => index.remove(k),
      reset: () => index.clear(),
    });
    this.subscriptions = [
      source.follow('clusterrolebindings', follow(this.clusterBindings)),
      source.follow('rolebindings', follow(this.bindings)),
    ];
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }

  get bindingCount(): number {
    return this.clusterBindings.size + this.bindings.size;
  }

  /**
   * The rules a role reference grants, or the error upstream's listers give. `pluralNotFound`
   * words a missing role as the REST storage does (`roles.rbac...`), else as the listers the
   * authorizer reads (`role.rbac...`).
   */
  roleRefRules(ref: RoleRef, namespace: string, pluralNotFound = false): PolicyRule[] | string {
    const kind = ref.kind === 'Role' ? 'roles' : ref.kind === 'ClusterRole' ? 'clusterroles' : undefined;
    if (!kind) return `unsupported role reference kind: ${JSON.stringify(ref.kind)}`;
    const role = this.source.get(kind, kind === 'roles' ? namespace : '', ref.name);
    if (!role) {
      const what = pluralNotFound ? kind : kind.slice(0, -1);
      return `${what}.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found`;
    }
    return (role.rules as PolicyRule[] | null | undefined) ?? [];
  }

  /** upstream's VisitRulesFor: cluster role bindings first, then the namespace's role bindings. */
  visitRulesFor(user: UserInfo, namespace: string, visit: RuleVisitor): void {
    for (const b of this.clusterBindings.candidates(user, '')) {
      const subject = (b.subjects ?? []).find((s) => appliesTo(user, s, ''));
      if (!subject || !b.roleRef) continue;
      const rules = this.roleRefRules(b.roleRef, '');
      if (typeof rules === 'string') {
        if (!visit(undefined, undefined, rules)) return;
        continue;
      }
      const source = `ClusterRoleBinding ${JSON.stringify(b.metadata.name)} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${describeSubject(subject, '')}`;
      for (const r of rules) if (!visit(source, r)) return;
    }
    if (!namespace) return;
    for (const b of this.bindings.candidates(user, namespace)) {
      const subject = (b.subjects ?? []).find((s) => appliesTo(user, s, namespace));
      if (!subject || !b.roleRef) continue;
      const rules = this.roleRefRules(b.roleRef, namespace);
      if (typeof rules === 'string') {
        if (!visit(undefined, undefined, rules)) return;
        continue;
      }
      const source = `RoleBinding ${JSON.stringify(`${b.metadata.name}/${namespace}`)} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${describeSubject(subject, namespace)}`;
      for (const r of rules) if (!visit(source, r)) return;
    }
  }

  /** Every rule the user holds in the namespace (cluster-wide ones included), and resolution errors. */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    this.visitRulesFor(user, namespace, (_s, rule, err) => {
      if (rule) rules.push(rule);
      if (err) errors.push(err);
      return true;
    });
    return { rules, errors };
  }
}
