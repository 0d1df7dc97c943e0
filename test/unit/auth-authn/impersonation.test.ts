import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../../src/api/errors.js';
import { impersonate } from '../../../src/apiserver/auth/authn/impersonation.js';
import type { AuthorizationAttributes, Authorizer } from '../../../src/apiserver/auth/types.js';
import type { UserInfo } from '../../../src/apiserver/endpoints/context.js';
import type { Req } from '../../../src/apiserver/http/io.js';

function req(raw: [string, string][]): Req {
  return {
    headers: {},
    rawHeaders: raw.flat(),
    [Symbol.asyncIterator]: async function* () {},
  } as unknown as Req;
}

/** Allows `impersonate` on what is listed as "group/resource[/subresource]:name". */
function fakeAuthorizer(allowed: string[]): Authorizer & { asked: AuthorizationAttributes[] } {
  const asked: AuthorizationAttributes[] = [];
  return {
    asked,
    authorize(a) {
      asked.push(a);
      const key = `${a.group}/${a.resource}${a.subresource ? '/' + a.subresource : ''}:${a.name}`;
      return {
        decision: a.verb === 'impersonate' && allowed.includes(key) ? 'allow' : 'noOpinion',
        reason: '',
      };
    },
  };
}

const bob: UserInfo = { name: 'bob', groups: ['system:authenticated'] };

describe('impersonation', () => {
  it('without headers the requester acts as itself, nothing asked', async () => {
    const authz = fakeAuthorizer([]);
    assert.equal(await impersonate(req([]), bob, authz), bob);
    assert.equal(authz.asked.length, 0);
  });

  it('--as and --as-group become the user, with system:authenticated', async () => {
    const authz = fakeAuthorizer(['/users:jane', '/groups:dev', '/groups:ops']);
    const user = await impersonate(
      req([
        ['Impersonate-User', 'jane'],
        ['Impersonate-Group', 'dev'],
        ['Impersonate-Group', 'ops'],
      ]),
      bob,
      authz,
    );
    assert.deepEqual(user, { name: 'jane', groups: ['dev', 'ops', 'system:authenticated'] });
    assert.deepEqual(
      authz.asked.map((a) => [a.verb, a.group, a.resource, a.name]),
      [
        ['impersonate', '', 'users', 'jane'],
        ['impersonate', '', 'groups', 'dev'],
        ['impersonate', '', 'groups', 'ops'],
      ],
    );
  });

  it('a service-account user is checked on serviceaccounts and gets its groups', async () => {
    const authz = fakeAuthorizer(['/serviceaccounts:robot']);
    const user = await impersonate(req([['Impersonate-User', 'system:serviceaccount:ci:robot']]), bob, authz);
    assert.deepEqual(user, {
      name: 'system:serviceaccount:ci:robot',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:ci', 'system:authenticated'],
    });
    assert.equal(authz.asked[0]!.namespace, 'ci');
  });

  it('uid and extras are checked in authentication.k8s.io (userextras/<key>)', async () => {
    const authz = fakeAuthorizer([
      '/users:jane',
      'authentication.k8s.io/userextras/scopes:view',
      'authentication.k8s.io/uids:1234',
    ]);
    const user = await impersonate(
      req([
        ['Impersonate-User', 'jane'],
        ['Impersonate-Extra-Scopes', 'view'],
        ['Impersonate-Uid', '1234'],
      ]),
      bob,
      authz,
    );
    assert.deepEqual(user, {
      name: 'jane',
      uid: '1234',
      groups: ['system:authenticated'],
      extra: { scopes: ['view'] },
    });
  });

  it("a refusal is upstream's Forbidden naming what was impersonated", async () => {
    await assert.rejects(
      impersonate(req([['Impersonate-User', 'x']]), { name: 'y', groups: [] }, fakeAuthorizer([])),
      (e: unknown) =>
        e instanceof StatusError &&
        e.code === 403 &&
        e.message ===
          'users "x" is forbidden: User "y" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
    await assert.rejects(
      impersonate(
        req([
          ['Impersonate-User', 'jane'],
          ['Impersonate-Group', 'system:masters'],
        ]),
        bob,
        fakeAuthorizer(['/users:jane']),
      ),
      (e: unknown) =>
        e instanceof StatusError &&
        e.code === 403 &&
        /^groups "system:masters" is forbidden: User "bob" cannot impersonate resource "groups"/.test(
          e.message,
        ),
    );
  });

  it('groups without a user are a 400', async () => {
    await assert.rejects(
      impersonate(req([['Impersonate-Group', 'dev']]), bob, fakeAuthorizer(['/groups:dev'])),
      (e: unknown) =>
        e instanceof StatusError && e.code === 400 && /without impersonating a user$/.test(e.message),
    );
  });
});
