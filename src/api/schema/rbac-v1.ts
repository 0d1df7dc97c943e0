// rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding, ClusterRoleBinding.
import type { Definition, Definitions, PropSchema } from './dsl.js';
import { LABEL_SELECTOR, LIST_META, OBJECT_META, arr, obj, ref, str, t } from './dsl.js';

const P = 'io.k8s.api.rbac.v1';
const GROUP = 'rbac.authorization.k8s.io';
const gvk = (kind: string) => [{ group: GROUP, version: 'v1', kind }];
const atomic = { 'x-kubernetes-list-type': 'atomic' } as const;

function topLevel(
  kind: string,
  description: string,
  props: Record<string, PropSchema>,
  required?: string[],
): Definition {
  return obj(
    description,
    {
      apiVersion: str(`The versioned schema of this object, here ${GROUP}/v1.`),
      kind: str(`The kind of this object, here ${kind}.`),
      metadata: ref(OBJECT_META, "The object's name, labels and other metadata."),
      ...props,
    },
    { required, gvk: gvk(kind) },
  );
}

function listOf(kind: string): Definition {
  return obj(
    `A list of ${kind} objects.`,
    {
      apiVersion: str(`The versioned schema of this list, here ${GROUP}/v1.`),
      items: arr(t.ref(`${P}.${kind}`), `The ${kind} objects.`),
      kind: str(`The kind of this list, here ${kind}List.`),
      metadata: ref(LIST_META, 'Resource version and continuation token of the list.'),
    },
    { required: ['items'], gvk: gvk(`${kind}List`) },
  );
}

/** References are replaced whole on apply (upstream's +structType=atomic). */
const structAtomic = (d: Definition): Definition => ({ ...d, 'x-kubernetes-map-type': 'atomic' });

const rules = (scope: string): PropSchema =>
  arr(t.ref(`${P}.PolicyRule`), `The permissions this role grants ${scope}.`, atomic);
const subjects = (): PropSchema =>
  arr(t.ref(`${P}.Subject`), 'The users, groups and service accounts granted the role.', atomic);
const roleRef = (what: string): PropSchema =>
  ref(`${P}.RoleRef`, `The ${what} being granted; cannot be changed after creation.`);

export const rbacV1Definitions: Definitions = {
  [`${P}.Role`]: topLevel('Role', 'A set of permissions within one namespace.', {
    rules: rules('in its namespace'),
  }),
  [`${P}.RoleList`]: listOf('Role'),
  [`${P}.ClusterRole`]: topLevel(
    'ClusterRole',
    'A set of permissions that applies cluster-wide or in any namespace.',
    {
      aggregationRule: ref(
        `${P}.AggregationRule`,
        'When set, the rules are filled in by the controller from other cluster roles.',
      ),
      rules: rules('across the cluster'),
    },
  ),
  [`${P}.ClusterRoleList`]: listOf('ClusterRole'),
  [`${P}.RoleBinding`]: topLevel(
    'RoleBinding',
    'Grants a Role or ClusterRole to subjects within one namespace.',
    { roleRef: roleRef('Role or ClusterRole'), subjects: subjects() },
    ['roleRef'],
  ),
  [`${P}.RoleBindingList`]: listOf('RoleBinding'),
  [`${P}.ClusterRoleBinding`]: topLevel(
    'ClusterRoleBinding',
    'Grants a ClusterRole to subjects across the whole cluster.',
    { roleRef: roleRef('ClusterRole'), subjects: subjects() },
    ['roleRef'],
  ),
  [`${P}.ClusterRoleBindingList`]: listOf('ClusterRoleBinding'),
  [`${P}.PolicyRule`]: obj(
    'Verbs allowed on a set of resources or non-resource URLs.',
    {
      apiGroups: arr(t.str, 'API groups of the resources; "" is the core group and "*" any group.', atomic),
      nonResourceURLs: arr(
        t.str,
        'URL paths outside the resource API, such as /healthz; only in cluster roles.',
        atomic,
      ),
      resourceNames: arr(t.str, 'Restricts the rule to objects with these names.', atomic),
      resources: arr(
        t.str,
        'Resources (and subresources like pods/log) the rule covers; "*" means all.',
        atomic,
      ),
      verbs: arr(t.str, 'Allowed verbs such as get, list, watch, create; "*" means all.', atomic),
    },
    { required: ['verbs'] },
  ),
  [`${P}.AggregationRule`]: obj('Selects the cluster roles whose rules are combined into this one.', {
    clusterRoleSelectors: arr(
      t.ref(LABEL_SELECTOR),
      'Cluster roles matching any of these selectors contribute their rules.',
      atomic,
    ),
  }),
  [`${P}.RoleRef`]: structAtomic(
    obj(
      'Names the role a binding grants.',
      {
        apiGroup: str('The API group of the role, rbac.authorization.k8s.io.'),
        kind: str('Role or ClusterRole.'),
        name: str('The name of the role.'),
      },
      { required: ['apiGroup', 'kind', 'name'] },
    ),
  ),
  [`${P}.Subject`]: structAtomic(
    obj(
      'A user, group or service account a role is granted to.',
      {
        apiGroup: str('Empty for service accounts; rbac.authorization.k8s.io for users and groups.'),
        kind: str('User, Group or ServiceAccount.'),
        name: str('The name of the subject.'),
        namespace: str('The namespace of a service account; empty for users and groups.'),
      },
      { required: ['kind', 'name'] },
    ),
  ),
};
