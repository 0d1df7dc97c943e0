import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseJWT, signJWT, TokenError, verifySignature } from '../../../src/pki/jwt.js';
import { ecKey, rsaKey } from './helpers.js';

describe('JWS signing and verification', () => {
  it('an RS256 token verifies with its key and names the key id in the header', () => {
    const key = rsaKey();
    const token = signJWT({ sub: 'x', iss: 'i' }, key.privateKey);
    const jwt = parseJWT(token)!;
    assert.deepEqual(jwt.header, { alg: 'RS256', kid: key.keyId });
    assert.doesNotThrow(() => verifySignature(jwt, [key.publicKey]));
  });

  it('an ES256 token verifies (upstream allows ECDSA signing keys)', () => {
    const key = ecKey();
    const token = signJWT({ sub: 'x' }, key.privateKey);
    const jwt = parseJWT(token)!;
    assert.equal(jwt.header.alg, 'ES256');
    assert.doesNotThrow(() => verifySignature(jwt, [key.publicKey]));
  });

  it('claims are written with sorted keys at every level, as go-jose does', () => {
    const key = rsaKey();
    const token = signJWT(
      { sub: 's', aud: 'a', 'kubernetes.io': { serviceaccount: { uid: 'u', name: 'n' }, namespace: 'd' } },
      key.privateKey,
    );
    const payload = Buffer.from(token.split('.')[1]!, 'base64url').toString();
    assert.equal(
      payload,
      '{"aud":"a","kubernetes.io":{"namespace":"d","serviceaccount":{"name":"n","uid":"u"}},"sub":"s"}',
    );
  });

  it('a token signed by another key is refused', () => {
    const token = signJWT({ sub: 'x' }, rsaKey().privateKey);
    assert.throws(() => verifySignature(parseJWT(token)!, [rsaKey().publicKey]), TokenError);
  });

  it('a token whose claims were altered after signing is refused', () => {
    const key = rsaKey();
    const [h, , s] = signJWT({ sub: 'system:serviceaccount:default:a' }, key.privateKey).split('.');
    const forged = `${h}.${Buffer.from('{"sub":"system:serviceaccount:kube-system:admin"}').toString('base64url')}.${s}`;
    assert.throws(() => verifySignature(parseJWT(forged)!, [key.publicKey]), TokenError);
  });

  it('alg "none" and a swapped algorithm are refused', () => {
    const key = rsaKey();
    const body = Buffer.from('{"sub":"x"}').toString('base64url');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${body}.`;
    assert.throws(() => verifySignature(parseJWT(none)!, [key.publicKey]), TokenError);
    const hs = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${body}.AAAA`;
    assert.throws(() => verifySignature(parseJWT(hs)!, [key.publicKey]), TokenError);
  });

  it('strings that are not compact JWS parse as undefined', () => {
    for (const t of [
      '',
      'abc',
      'a.b',
      'a.b.c.d',
      '!!.??.**',
      `${Buffer.from('[1]').toString('base64url')}.e30.`,
    ])
      assert.equal(parseJWT(t), undefined, t);
  });
});
