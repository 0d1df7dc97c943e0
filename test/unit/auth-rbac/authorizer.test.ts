import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RuleResolver } from '../../../src/apiserver/auth/rbac/resolver.js';
import { rbacAuthorizer } from '../../../src/apiserver/auth/rbac/authorizer.js';
import { privilegedGroupAuthorizer, unionAuthorizer } from '../../../src/apiserver/auth/union.js';
import { forbiddenError } from '../../../src/apiserver/auth/forbidden.js';
import { FakeSource, G, req, SA, U, urlReq, user } from './fake-source.js';

const podReader = [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }];

function setup() {
  const src = new FakeSource();
  const authz = rbacAuthorizer(new RuleResolver(src));
  return { src, authz };
}

describe('RBAC authorizer', () => {
  it("no binding: no opinion and no reason; the Forbidden message is upstream's", () => {
    const { authz } = setup();
    const a = req(user('jane'), 'list', 'pods', { ns: 'default' });
    assert.deepEqual(authz.authorize(a), { decision: 'noOpinion', reason: '' });
    assert.equal(
      forbiddenError(a, '').message,
      'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"',
    );
  });

  it('a RoleBinding grants in its namespace only; a ClusterRoleBinding everywhere', () => {
    const { src, authz } = setup();
    src
      .clusterRole('pod-reader', podReader)
      .binding('dev', 'jane-pods', 'ClusterRole', 'pod-reader', [U('jane')]);
    assert.equal(authz.authorize(req(user('jane'), 'list', 'pods', { ns: 'dev' })).decision, 'allow');
    assert.equal(authz.authorize(req(user('jane'), 'list', 'pods', { ns: 'prod' })).decision, 'noOpinion');
    assert.equal(authz.authorize(req(user('jane'), 'list', 'pods')).decision, 'noOpinion');
    src.clusterBinding('jane-all', 'pod-reader', [U('jane')]);
    assert.equal(authz.authorize(req(user('jane'), 'list', 'pods')).decision, 'allow');
    assert.equal(authz.authorize(req(user('jane'), 'list', 'pods', { ns: 'prod' })).decision, 'allow');
  });

  it("gives the allowing binding as the reason, in upstream's words", () => {
    const { src, authz } = setup();
    src.role('dev', 'r', podReader).binding('dev', 'b', 'Role', 'r', [SA('default')]);
    src.clusterRole('c', podReader).clusterBinding('cb', 'c', [G('devs')]);
    assert.deepEqual(
      authz.authorize(req(user('system:serviceaccount:dev:default'), 'get', 'pods', { ns: 'dev' })),
      {
        decision: 'allow',
        reason: 'RBAC: allowed by RoleBinding "b/dev" of Role "r" to ServiceAccount "default/dev"',
      },
    );
    assert.deepEqual(authz.authorize(req(user('bob', ['devs']), 'get', 'pods')), {
      decision: 'allow',
      reason: 'RBAC: allowed by ClusterRoleBinding "cb" of ClusterRole "c" to Group "devs"',
    });
  });

  it('subjects: User by name, Group by membership, ServiceAccount by its user name', () => {
    const { src, authz } = setup();
    src.clusterRole('c', podReader);
    src.clusterBinding('u', 'c', [U('jane')]);
    src.clusterBinding('g', 'c', [G('team')]);
    src.clusterBinding('sa', 'c', [SA('builder', 'ci')]);
    const can = (u: ReturnType<typeof user>) => authz.authorize(req(u, 'get', 'pods')).decision;
    assert.equal(can(user('jane')), 'allow');
    assert.equal(can(user('janet')), 'noOpinion');
    assert.equal(can(user('x', ['team'])), 'allow');
    assert.equal(can(user('system:serviceaccount:ci:builder')), 'allow');
    assert.equal(can(user('system:serviceaccount:other:builder')), 'noOpinion');
    // a Group subject is not a user name, and a User subject not a group
    assert.equal(can(user('team')), 'noOpinion');
  });

  it('a ServiceAccount subject without namespace in a ClusterRoleBinding matches nobody', () => {
    const { src, authz } = setup();
    src.clusterRole('c', podReader).clusterBinding('sa', 'c', [SA('default')]);
    assert.equal(
      authz.authorize(req(user('system:serviceaccount:default:default'), 'get', 'pods')).decision,
      'noOpinion',
    );
  });

  it('a binding to a missing role grants nothing and says so', () => {
    const { src, authz } = setup();
    src.binding('dev', 'b', 'ClusterRole', 'nope', [U('jane')]);
    src.binding('dev', 'b2', 'Role', 'gone', [U('jane')]);
    assert.deepEqual(authz.authorize(req(user('jane'), 'get', 'pods', { ns: 'dev' })), {
      decision: 'noOpinion',
      reason:
        'RBAC: [clusterrole.rbac.authorization.k8s.io "nope" not found, role.rbac.authorization.k8s.io "gone" not found]',
    });
    // once the role exists the same binding grants
    src.clusterRole('nope', podReader);
    assert.equal(authz.authorize(req(user('jane'), 'get', 'pods', { ns: 'dev' })).decision, 'allow');
  });

  it('follows changes: a deleted binding or a changed role stops granting', () => {
    const { src, authz } = setup();
    src.clusterRole('c', podReader).binding('dev', 'b', 'ClusterRole', 'c', [U('jane')]);
    const a = req(user('jane'), 'get', 'pods', { ns: 'dev' });
    assert.equal(authz.authorize(a).decision, 'allow');
    src.clusterRole('c', [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }]);
    assert.equal(authz.authorize(a).decision, 'noOpinion');
    src.clusterRole('c', podReader);
    src.binding('dev', 'b', 'ClusterRole', 'c', [U('someone-else')]);
    assert.equal(authz.authorize(a).decision, 'noOpinion');
    src.binding('dev', 'b', 'ClusterRole', 'c', [U('jane')]);
    src.remove('rolebindings', 'dev', 'b');
    assert.equal(authz.authorize(a).decision, 'noOpinion');
  });

  it('non-resource URLs are granted by ClusterRoleBindings only', () => {
    const { src, authz } = setup();
    src
      .clusterRole('d', [{ verbs: ['get'], nonResourceURLs: ['/apis/*'] }])
      .clusterBinding('d', 'd', [G('system:authenticated')]);
    assert.equal(authz.authorize(urlReq(user('jane'), 'get', '/apis/apps')).decision, 'allow');
    assert.equal(authz.authorize(urlReq(user('jane'), 'get', '/metrics')).decision, 'noOpinion');
  });

  it('system:masters is allowed everything before RBAC is asked', () => {
    const { authz } = setup();
    const chain = unionAuthorizer([privilegedGroupAuthorizer('system:masters'), authz]);
    assert.equal(
      chain.authorize(req(user('admin', ['system:masters']), 'delete', 'nodes')).decision,
      'allow',
    );
    assert.equal(chain.authorize(req(user('admin'), 'delete', 'nodes')).decision, 'noOpinion');
  });

  it('rulesFor lists cluster-wide and namespace rules with resolution errors', () => {
    const { src, authz } = setup();
    src
      .clusterRole('d', [{ verbs: ['get'], nonResourceURLs: ['/api'] }])
      .clusterBinding('d', 'd', [U('jane')]);
    src
      .role('dev', 'r', podReader)
      .binding('dev', 'b', 'Role', 'r', [U('jane')])
      .binding('dev', 'x', 'Role', 'no', [U('jane')]);
    const r = authz.rulesFor(user('jane'), 'dev');
    assert.deepEqual(r.resourceRules, podReader);
    assert.deepEqual(r.nonResourceRules, [{ verbs: ['get'], nonResourceURLs: ['/api'] }]);
    assert.deepEqual(r.errors, ['role.rbac.authorization.k8s.io "no" not found']);
    assert.deepEqual(authz.rulesFor(user('jane'), 'prod').resourceRules, []);
  });
});
