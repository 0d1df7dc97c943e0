import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../../src/api/errors.js';
import { covers, compactString } from '../../../src/apiserver/auth/rbac/covers.js';
import { checkRbacWrite, type RbacWrite } from '../../../src/apiserver/auth/rbac/escalation.js';
import { rbacAuthorizer } from '../../../src/apiserver/auth/rbac/authorizer.js';
import { RuleResolver } from '../../../src/apiserver/auth/rbac/resolver.js';
import { privilegedGroupAuthorizer, unionAuthorizer } from '../../../src/apiserver/auth/union.js';
import { FakeSource, U, user } from './fake-source.js';

const RBAC = 'rbac.authorization.k8s.io';

function setup() {
  const src = new FakeSource();
  const resolver = new RuleResolver(src);
  const authz = unionAuthorizer([privilegedGroupAuthorizer('system:masters'), rbacAuthorizer(resolver)]);
  const check = (w: Partial<RbacWrite> & Pick<RbacWrite, 'resource' | 'object'>) =>
    checkRbacWrite(
      { operation: 'CREATE', namespace: '', name: w.object.metadata.name!, user: user('jane'), ...w },
      resolver,
      authz,
    );
  return { src, check };
}

const roleObj = (name: string, rules: unknown[], ns?: string) => ({
  apiVersion: `${RBAC}/v1`,
  kind: ns ? 'Role' : 'ClusterRole',
  metadata: ns ? { name, namespace: ns } : { name },
  rules,
});
const bindingObj = (name: string, kind: string, role: string, ns?: string) => ({
  apiVersion: `${RBAC}/v1`,
  kind: ns ? 'RoleBinding' : 'ClusterRoleBinding',
  metadata: ns ? { name, namespace: ns } : { name },
  roleRef: { apiGroup: RBAC, kind, name: role },
  subjects: [U('bob')],
});

function refusal(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 403);
    return e.message;
  }
  assert.fail('expected a refusal');
}

describe('rule coverage (upstream Covers)', () => {
  it('covers by verbs, groups, resources incl. */sub and *, names, urls with *', () => {
    const owner = [
      { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', '*/log'] },
      { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] },
      { verbs: ['get'], nonResourceURLs: ['/apis/*'] },
    ];
    assert.equal(
      covers(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['pods', 'pods/log'] }]).covered,
      true,
    );
    assert.equal(
      covers(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }])
        .covered,
      true,
    );
    assert.equal(
      covers(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }]).covered,
      false,
    );
    assert.equal(covers(owner, [{ verbs: ['get'], nonResourceURLs: ['/apis/apps'] }]).covered, true);
    const { missing } = covers(owner, [
      { verbs: ['get', 'delete'], apiGroups: ['', 'apps'], resources: ['pods'] },
    ]);
    assert.deepEqual(missing.map(compactString), [
      '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}',
      '{APIGroups:["apps"], Resources:["pods"], Verbs:["get"]}',
      '{APIGroups:["apps"], Resources:["pods"], Verbs:["delete"]}',
    ]);
  });
});

describe('RBAC escalation prevention', () => {
  it("a role with rules the author holds is fine; one with more is refused in upstream's words", () => {
    const { src, check } = setup();
    src.clusterRole('admin', [
      { verbs: ['*'], apiGroups: [''], resources: ['pods'] },
      { verbs: ['create', 'update'], apiGroups: [RBAC], resources: ['roles'] },
    ]);
    src.binding('dev', 'jane-admin', 'ClusterRole', 'admin', [U('jane')]);
    check({
      resource: 'roles',
      namespace: 'dev',
      object: roleObj('ok', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], 'dev'),
    });
    const msg = refusal(() =>
      check({
        resource: 'roles',
        namespace: 'dev',
        object: roleObj(
          'nodes',
          [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['nodes', 'pods'] }],
          'dev',
        ),
      }),
    );
    assert.equal(
      msg,
      'roles.rbac.authorization.k8s.io "nodes" is forbidden: user "jane" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["nodes"], Verbs:["get" "list"]}',
    );
    // rights in another namespace do not count
    refusal(() =>
      check({
        resource: 'roles',
        namespace: 'prod',
        object: roleObj('ok', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], 'prod'),
      }),
    );
  });

  it('`escalate` on roles lets a user write any rules; system:masters always may', () => {
    const { src, check } = setup();
    const big = roleObj('big', [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]);
    refusal(() => check({ resource: 'clusterroles', object: big }));
    check({ resource: 'clusterroles', object: big, user: user('root', ['system:masters']) });
    src.clusterRole('escalator', [{ verbs: ['escalate'], apiGroups: [RBAC], resources: ['clusterroles'] }]);
    src.clusterBinding('e', 'escalator', [U('jane')]);
    check({ resource: 'clusterroles', object: big });
  });

  it('a binding to a role the author does not hold is refused unless `bind` on that role', () => {
    const { src, check } = setup();
    src.clusterRole('pods', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]);
    src.clusterRole('nodes', [{ verbs: ['get'], apiGroups: [''], resources: ['nodes'] }]);
    src.clusterBinding('jane-pods', 'pods', [U('jane')]);
    check({
      resource: 'rolebindings',
      namespace: 'dev',
      object: bindingObj('b', 'ClusterRole', 'pods', 'dev'),
    });
    const msg = refusal(() =>
      check({ resource: 'clusterrolebindings', object: bindingObj('b', 'ClusterRole', 'nodes') }),
    );
    assert.match(
      msg,
      /^clusterrolebindings.rbac.authorization.k8s.io "b" is forbidden: user "jane" .* not currently held:\n\{APIGroups:\[""\], Resources:\["nodes"\], Verbs:\["get"\]\}$/,
    );
    src.clusterRole('binder', [
      { verbs: ['bind'], apiGroups: [RBAC], resources: ['clusterroles'], resourceNames: ['nodes'] },
    ]);
    src.clusterBinding('jane-binder', 'binder', [U('jane')]);
    check({ resource: 'clusterrolebindings', object: bindingObj('b', 'ClusterRole', 'nodes') });
  });

  it('a binding to a missing role is refused, naming it as the storage does', () => {
    const { check } = setup();
    assert.equal(
      refusal(() =>
        check({ resource: 'rolebindings', namespace: 'dev', object: bindingObj('b', 'Role', 'gone', 'dev') }),
      ),
      'rolebindings.rbac.authorization.k8s.io "b" is forbidden: roles.rbac.authorization.k8s.io "gone" not found',
    );
  });

  it('an aggregationRule takes full authority', () => {
    const { src, check } = setup();
    src.clusterRole('writer', [{ verbs: ['create'], apiGroups: [RBAC], resources: ['clusterroles'] }]);
    src.clusterBinding('w', 'writer', [U('jane')]);
    const agg = {
      ...roleObj('agg', []),
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: 'b' } }] },
    };
    assert.equal(
      refusal(() => check({ resource: 'clusterroles', object: agg })),
      'clusterroles.rbac.authorization.k8s.io "agg" is forbidden: must have cluster-admin privileges to use the aggregationRule',
    );
  });

  it('changing only finalizers or ownerReferences is never an escalation', () => {
    const { check } = setup();
    const old = roleObj('big', [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]);
    const next = { ...old, metadata: { ...old.metadata, finalizers: ['x'] } };
    check({ resource: 'clusterroles', operation: 'UPDATE', object: next, oldObject: old });
  });
});
