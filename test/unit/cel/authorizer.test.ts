// The CEL authorizer library (k8s.io/apiserver/pkg/cel/library/authz.go) over a recording
// authorizer: the attributes each check asks (version '*' for resource checks, the request's
// version for requestResource, lower-cased HTTP verbs for paths, service account users) and the
// Decision methods.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpression } from '../../../src/apiserver/cel/compile.js';
import {
  AuthorizationSession,
  authorizerValue,
  withAuthorization,
} from '../../../src/apiserver/cel/authorizer.js';
import type { AuthorizationAttributes, Authorizer } from '../../../src/apiserver/auth/types.js';

function setup() {
  const asked: AuthorizationAttributes[] = [];
  const authz: Authorizer = {
    authorize: async (a) => {
      asked.push(a);
      if (a.resource === 'broken') throw new Error('authorizer down');
      return a.resource === 'pods' && a.verb === 'create'
        ? { decision: 'allow', reason: 'rbac says yes' }
        : { decision: 'noOpinion', reason: 'no rule' };
    },
  };
  const value = authorizerValue(
    { name: 'alice', groups: ['devs'] },
    {
      group: 'apps',
      version: 'v1',
      resource: 'deployments',
      subresource: 'scale',
      namespace: 'ns1',
      name: 'web',
    },
  );
  const run = async (expr: string) => {
    const c = compileExpression(expr, { variables: { authorizer: undefined }, result: 'any' });
    const r = await withAuthorization(new AuthorizationSession(authz), () => c.run({ authorizer: value }));
    return r.error !== undefined ? { error: r.error } : { value: r.value };
  };
  return { asked, run };
}

describe('CEL authorizer library', () => {
  it('resource checks ask with the requestor, version *, and the given scope', async () => {
    const { asked, run } = setup();
    assert.deepEqual(
      await run(
        "authorizer.group('').resource('pods').subresource('log').namespace('ns2').name('p').check('create').allowed()",
      ),
      { value: true },
    );
    const a = asked[0]!;
    assert.deepEqual(
      [
        a.user.name,
        a.verb,
        a.resourceRequest,
        a.group,
        a.version,
        a.resource,
        a.subresource,
        a.namespace,
        a.name,
      ],
      ['alice', 'create', true, '', '*', 'pods', 'log', 'ns2', 'p'],
    );
    assert.deepEqual(await run("authorizer.group('').resource('secrets').check('get').reason()"), {
      value: 'no rule',
    });
  });

  it('serviceAccount asks as the service account with its groups', async () => {
    const { asked, run } = setup();
    assert.deepEqual(
      await run(
        "authorizer.serviceAccount('kube-system', 'builder').group('apps').resource('deployments').check('list').allowed()",
      ),
      { value: false },
    );
    assert.equal(asked[0]!.user.name, 'system:serviceaccount:kube-system:builder');
    assert.deepEqual(asked[0]!.user.groups, ['system:serviceaccounts', 'system:serviceaccounts:kube-system']);
  });

  it('requestResource is the request itself, with its version', async () => {
    const { asked, run } = setup();
    await run("authorizer.requestResource.check('update').allowed()");
    const a = asked[0]!;
    assert.deepEqual(
      [a.group, a.version, a.resource, a.subresource, a.namespace, a.name, a.verb],
      ['apps', 'v1', 'deployments', 'scale', 'ns1', 'web', 'update'],
    );
  });

  it('path checks are non-resource requests with a lower-case verb', async () => {
    const { asked, run } = setup();
    await run("authorizer.path('/healthz').check('GET').allowed()");
    assert.deepEqual([asked[0]!.resourceRequest, asked[0]!.path, asked[0]!.verb], [false, '/healthz', 'get']);
  });

  it('authorizer errors are errored() decisions, and checks are asked once per evaluation', async () => {
    const { asked, run } = setup();
    assert.deepEqual(
      await run(
        "authorizer.group('').resource('broken').check('get').errored() && authorizer.group('').resource('broken').check('get').error() == 'authorizer down'",
      ),
      { value: true },
    );
    assert.equal(asked.length, 1);
  });
});
