import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../../src/api/errors.js';
import {
  bearerToken,
  RequestAuthenticatorChain,
  tokenUnion,
  webSocketToken,
} from '../../../src/apiserver/auth/authn/chain.js';
import type { TokenAuthenticator } from '../../../src/apiserver/auth/authn/types.js';
import { TokenError } from '../../../src/pki/jwt.js';
import type { Req } from '../../../src/apiserver/http/io.js';

function req(headers: Record<string, string>): Req {
  return {
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    [Symbol.asyncIterator]: async function* () {},
  } as unknown as Req;
}

const alice: TokenAuthenticator = {
  authenticateToken: (t) =>
    Promise.resolve(
      t === 'good' ? { user: { name: 'alice', groups: ['dev'] }, audiences: ['api'] } : undefined,
    ),
};
const refusing: TokenAuthenticator = {
  authenticateToken: (t) =>
    t.startsWith('ey')
      ? Promise.reject(new TokenError('service account token has expired'))
      : Promise.resolve(undefined),
};

function isUnauthorized(e: unknown): boolean {
  return (
    e instanceof StatusError && e.code === 401 && e.message === 'Unauthorized' && e.reason === 'Unauthorized'
  );
}

describe('request authentication chain', () => {
  const chain = new RequestAuthenticatorChain(tokenUnion([refusing, alice]), ['api']);

  it('reads the bearer token as upstream (case-insensitive scheme, extra spaces)', () => {
    assert.equal(bearerToken(req({ Authorization: 'Bearer abc' })), 'abc');
    assert.equal(bearerToken(req({ Authorization: '  bearer abc  ' })), 'abc');
    assert.equal(bearerToken(req({ Authorization: 'Basic dXNlcjpwdw==' })), undefined);
    assert.equal(bearerToken(req({ Authorization: 'Bearer' })), undefined);
    assert.equal(bearerToken(req({})), undefined);
  });

  it('reads a token from the WebSocket bearer subprotocol', () => {
    const proto = `base64url.bearer.authorization.k8s.io.${Buffer.from('good').toString('base64url')}`;
    assert.equal(
      webSocketToken(req({ Upgrade: 'websocket', 'Sec-WebSocket-Protocol': `v5.channel.k8s.io, ${proto}` })),
      'good',
    );
    assert.equal(webSocketToken(req({ 'Sec-WebSocket-Protocol': proto })), undefined);
  });

  it('a good token authenticates, with system:authenticated added', async () => {
    assert.deepEqual(await chain.authenticate(req({ Authorization: 'Bearer good' })), {
      name: 'alice',
      groups: ['dev', 'system:authenticated'],
    });
  });

  it('an unknown or refused token is 401 Unauthorized with nothing of the reason', async () => {
    await assert.rejects(chain.authenticate(req({ Authorization: 'Bearer nope' })), isUnauthorized);
    await assert.rejects(chain.authenticate(req({ Authorization: 'Bearer eyJexpired' })), isUnauthorized);
  });

  it('a request without credentials is anonymous (undefined)', async () => {
    assert.equal(await chain.authenticate(req({})), undefined);
  });

  it('the union reports every refusal when none accepts', async () => {
    const u = tokenUnion([refusing, refusing]);
    await assert.rejects(
      u.authenticateToken('ey', []),
      (e: unknown) =>
        e instanceof TokenError &&
        e.message === '[service account token has expired, service account token has expired]',
    );
  });
});
