import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapTokenAuthenticator } from '../../../src/apiserver/auth/authn/bootstrap-tokens.js';
import { memoryGetter, obj } from './helpers.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function bootstrapSecret(data: Record<string, string>, type = 'bootstrap.kubernetes.io/token') {
  return obj('Secret', 'kube-system', 'bootstrap-token-abcdef', 'u1', {
    type,
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  } as never);
}

const GOOD = {
  'token-id': 'abcdef',
  'token-secret': '0123456789abcdef',
  'usage-bootstrap-authentication': 'true',
};

describe('bootstrap tokens', () => {
  it('authenticate as system:bootstrap:<id> in system:bootstrappers plus the extra groups', async () => {
    const m = memoryGetter();
    m.put(
      'secrets',
      bootstrapSecret({ ...GOOD, 'auth-extra-groups': 'system:bootstrappers:k8ts:default-node-token' }),
    );
    const r = await bootstrapTokenAuthenticator(m.getter).authenticateToken('abcdef.0123456789abcdef', []);
    assert.deepEqual(r?.user, {
      name: 'system:bootstrap:abcdef',
      groups: ['system:bootstrappers', 'system:bootstrappers:k8ts:default-node-token'],
    });
  });

  it('a wrong secret, a missing usage, an expired or mistyped Secret do not authenticate', async () => {
    const cases: [string, ReturnType<typeof bootstrapSecret>][] = [
      ['wrong secret', bootstrapSecret({ ...GOOD, 'token-secret': 'ffffffffffffffff' })],
      ['no usage', bootstrapSecret({ ...GOOD, 'usage-bootstrap-authentication': 'false' })],
      ['expired', bootstrapSecret({ ...GOOD, expiration: '2020-01-01T00:00:00Z' })],
      ['bad expiration', bootstrapSecret({ ...GOOD, expiration: 'soon' })],
      ['type', bootstrapSecret(GOOD, 'Opaque')],
      ['bad extra group', bootstrapSecret({ ...GOOD, 'auth-extra-groups': 'system:masters' })],
    ];
    for (const [why, secret] of cases) {
      const m = memoryGetter();
      m.put('secrets', secret);
      assert.equal(
        await bootstrapTokenAuthenticator(m.getter).authenticateToken('abcdef.0123456789abcdef', []),
        undefined,
        why,
      );
    }
  });

  it('a token of another shape is not a bootstrap token', async () => {
    const m = memoryGetter();
    m.put('secrets', bootstrapSecret(GOOD));
    const a = bootstrapTokenAuthenticator(m.getter);
    assert.equal(await a.authenticateToken('ABCDEF.0123456789abcdef', []), undefined);
    assert.equal(await a.authenticateToken('abcdef0123456789abcdef', []), undefined);
  });
});
