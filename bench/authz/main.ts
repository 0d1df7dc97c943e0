// Authorization decision cost (prints figures, asserts nothing): the RBAC authorizer over
// upstream's bootstrap policy plus N RoleBindings spread over namespaces, asked allowed and
// denied questions, as the API server asks once per request.
// Usage: npm run build && node dist/bench/authz/main.js [--bindings 1000] [--namespaces 100]
import type { KubeObject } from '../../src/api/types.js';
import { rbacAuthorizer } from '../../src/apiserver/auth/rbac/authorizer.js';
import { clusterRoleBindings, clusterRoles } from '../../src/apiserver/auth/rbac/bootstrap-policy.js';
import {
  controllerRoleBindings,
  controllerRoles,
} from '../../src/apiserver/auth/rbac/bootstrap-policy-controllers.js';
import { RuleResolver, type RbacKind, type RbacSource } from '../../src/apiserver/auth/rbac/resolver.js';
import { privilegedGroupAuthorizer, unionAuthorizer } from '../../src/apiserver/auth/union.js';
import type { AuthorizationAttributes } from '../../src/apiserver/auth/types.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

const BINDINGS = arg('bindings', 1000);
const NAMESPACES = arg('namespaces', 100);
const RBAC = 'rbac.authorization.k8s.io';

/** The objects in memory, as the watch caches would hold them. */
function source(objects: Map<RbacKind, KubeObject[]>): RbacSource {
  const byKey = new Map<string, KubeObject>();
  const key = (k: RbacKind, ns: string, n: string) => `${k}/${ns}/${n}`;
  for (const [k, list] of objects)
    for (const o of list) byKey.set(key(k, o.metadata.namespace ?? '', o.metadata.name!), o);
  return {
    get: (k, ns, n) => byKey.get(key(k, ns, n)),
    follow(kind, h) {
      for (const o of objects.get(kind) ?? [])
        h.upsert(key(kind, o.metadata.namespace ?? '', o.metadata.name!), o);
      return { dispose: () => undefined };
    },
  };
}

function policy(): Map<RbacKind, KubeObject[]> {
  const roles: KubeObject[] = [];
  const bindings: KubeObject[] = [];
  // each namespace has an app role; bindings give users and service accounts a role there
  for (let n = 0; n < NAMESPACES; n++) {
    roles.push({
      apiVersion: `${RBAC}/v1`,
      kind: 'Role',
      metadata: { name: 'app', namespace: `ns-${n}` },
      rules: [
        { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods', 'services', 'configmaps'] },
        { verbs: ['create', 'update', 'patch', 'delete'], apiGroups: ['apps'], resources: ['deployments'] },
      ],
    });
  }
  for (let i = 0; i < BINDINGS; i++) {
    const ns = `ns-${i % NAMESPACES}`;
    const sa = i % 2 === 0;
    bindings.push({
      apiVersion: `${RBAC}/v1`,
      kind: 'RoleBinding',
      metadata: { name: `b-${i}`, namespace: ns },
      roleRef: {
        apiGroup: RBAC,
        kind: i % 3 === 0 ? 'ClusterRole' : 'Role',
        name: i % 3 === 0 ? 'system:aggregate-to-view' : 'app',
      },
      subjects: sa
        ? [{ kind: 'ServiceAccount', name: `sa-${i}` }]
        : [
            { kind: 'User', apiGroup: RBAC, name: `user-${i}` },
            { kind: 'Group', apiGroup: RBAC, name: `team-${i % 10}` },
          ],
    });
  }
  return new Map<RbacKind, KubeObject[]>([
    ['clusterroles', [...clusterRoles(), ...controllerRoles()]],
    ['clusterrolebindings', [...clusterRoleBindings(), ...controllerRoleBindings()]],
    ['roles', roles],
    ['rolebindings', bindings],
  ]);
}

function attrs(
  name: string,
  groups: string[],
  verb: string,
  resource: string,
  ns: string,
  group = '',
): AuthorizationAttributes {
  return {
    user: { name, groups: [...groups, 'system:authenticated'] },
    verb,
    resourceRequest: true,
    group,
    version: 'v1',
    resource,
    subresource: '',
    namespace: ns,
    name: '',
    path: '',
  };
}

function measure(
  label: string,
  authorize: (a: AuthorizationAttributes) => { decision: string },
  a: AuthorizationAttributes,
): void {
  const expect = authorize(a).decision;
  const n = 200_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) authorize(a);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const perSec = Math.round(n / s);
  console.log(
    `${label.padEnd(58)} ${expect.padEnd(10)} ${perSec.toLocaleString('en-US').padStart(12)} decisions/s  ${((s / n) * 1e6).toFixed(2)} µs`,
  );
}

const t0 = performance.now();
const data = policy();
const resolver = new RuleResolver(source(data));
const indexMs = performance.now() - t0;
const authz = unionAuthorizer([privilegedGroupAuthorizer('system:masters'), rbacAuthorizer(resolver)]);
const authorize = (a: AuthorizationAttributes) => authz.authorize(a);

console.log(
  `RBAC: ${BINDINGS} RoleBindings in ${NAMESPACES} namespaces, ${resolver.bindingCount} bindings in all; indexed in ${indexMs.toFixed(1)} ms`,
);
measure(
  'user with a RoleBinding: list pods in its namespace',
  authorize,
  attrs('user-1', [], 'list', 'pods', 'ns-1'),
);
measure(
  'service account with a RoleBinding: create deployments',
  authorize,
  attrs('system:serviceaccount:ns-2:sa-2', [], 'create', 'deployments', 'ns-2', 'apps'),
);
measure(
  'group member (10 bindings per team): get configmaps',
  authorize,
  attrs('someone', ['team-5'], 'get', 'configmaps', 'ns-5'),
);
measure('user without bindings: list pods (denied)', authorize, attrs('nobody', [], 'list', 'pods', 'ns-1'));
measure(
  'user with a RoleBinding elsewhere: delete nodes (denied)',
  authorize,
  attrs('user-1', [], 'delete', 'nodes', ''),
);
measure('system:masters: delete nodes', authorize, attrs('admin', ['system:masters'], 'delete', 'nodes', ''));
measure('controller SA: update namespaces/finalize (cluster binding)', authorize, {
  ...attrs(
    'system:serviceaccount:kube-system:namespace-controller',
    ['system:serviceaccounts'],
    'update',
    'namespaces',
    '',
  ),
  subresource: 'finalize',
});
