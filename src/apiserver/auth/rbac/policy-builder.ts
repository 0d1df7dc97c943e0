// Small builders for the bootstrap policy data, as upstream's rbacv1helpers.NewRule(...).
// Groups(...).Resources(...).RuleOrDie(): every list is sorted, as upstream's builder sorts.
import type { KubeObject } from '../../../api/types.js';
import type { PolicyRule, RoleRef, Subject } from './rules.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
export const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
export const AUTOUPDATE = 'rbac.authorization.kubernetes.io/autoupdate';

export const READ = 'get list watch';
export const READ_WRITE = 'get list watch create update patch delete deletecollection';
export const WRITE = 'create delete deletecollection patch update';

const words = (s: string) => s.split(/\s+/).filter(Boolean).sort();

/** rule('get list', ['', 'apps'], 'pods deployments', 'name1') */
export function rule(verbs: string, groups: string[], resources: string, names?: string): PolicyRule {
  const r: PolicyRule = { verbs: words(verbs), apiGroups: [...groups].sort(), resources: words(resources) };
  if (names) r.resourceNames = words(names);
  return r;
}

export function urls(verbs: string, paths: string): PolicyRule {
  return { verbs: words(verbs), nonResourceURLs: words(paths) };
}

/** The events rule every controller has (upstream's eventsRule()). */
export const eventsRule = (): PolicyRule => rule('create update patch', ['', 'events.k8s.io'], 'events');

function meta(name: string, namespace?: string, labels: Record<string, string> = {}) {
  const m: KubeObject['metadata'] = {
    name,
    labels: { ...BOOTSTRAP_LABELS, ...labels },
    annotations: { [AUTOUPDATE]: 'true' },
  };
  if (namespace) m.namespace = namespace;
  return m;
}

export function clusterRole(
  name: string,
  rules: PolicyRule[],
  opts: { labels?: Record<string, string>; aggregateFrom?: Record<string, string> } = {},
): KubeObject {
  const role: KubeObject = {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRole',
    metadata: meta(name, undefined, opts.labels),
  };
  // an aggregated role starts without rules (`rules: null` upstream); the controller fills them
  if (rules.length || !opts.aggregateFrom) role.rules = rules;
  if (opts.aggregateFrom)
    role.aggregationRule = { clusterRoleSelectors: [{ matchLabels: opts.aggregateFrom }] };
  return role;
}

export function role(namespace: string, name: string, rules: PolicyRule[]): KubeObject {
  return { apiVersion: `${RBAC_GROUP}/v1`, kind: 'Role', metadata: meta(name, namespace), rules };
}

export const user = (name: string): Subject => ({ kind: 'User', apiGroup: RBAC_GROUP, name });
export const group = (name: string): Subject => ({ kind: 'Group', apiGroup: RBAC_GROUP, name });
export const serviceAccount = (namespace: string, name: string): Subject => ({
  kind: 'ServiceAccount',
  name,
  namespace,
});

/** A ClusterRoleBinding named as its ClusterRole unless `name` is given. */
export function clusterBinding(roleName: string, subjects: Subject[], name = roleName): KubeObject {
  const roleRef: RoleRef = { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: roleName };
  const b: KubeObject = {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: meta(name),
    roleRef,
  };
  if (subjects.length) b.subjects = subjects;
  return b;
}

export function binding(
  namespace: string,
  roleName: string,
  subjects: Subject[],
  name = roleName,
): KubeObject {
  const roleRef: RoleRef = { apiGroup: RBAC_GROUP, kind: 'Role', name: roleName };
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'RoleBinding',
    metadata: meta(name, namespace),
    roleRef,
    subjects,
  };
}
