import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jwkOf, openIDConfiguration, withIssuerDiscovery } from '../../../src/apiserver/auth/authn/oidc.js';
import { validateTokenRequest } from '../../../src/apiserver/auth/authn/token-request.js';
import { errorText } from '../../../src/apiserver/registry/validation.js';
import { ecKey, rsaKey } from './helpers.js';

describe('issuer discovery documents', () => {
  it('the JWKS lists each key as go-jose writes it', () => {
    const rsa = rsaKey();
    const jwk = jwkOf(rsa.publicKey);
    assert.deepEqual(Object.keys(jwk), ['use', 'kty', 'kid', 'alg', 'n', 'e']);
    assert.deepEqual([jwk.use, jwk.kty, jwk.kid, jwk.alg, jwk.e], ['sig', 'RSA', rsa.keyId, 'RS256', 'AQAB']);
    const ec = ecKey();
    assert.deepEqual(Object.keys(jwkOf(ec.publicKey)), ['use', 'kty', 'kid', 'crv', 'alg', 'x', 'y']);
    assert.equal(jwkOf(ec.publicKey).crv, 'P-256');
  });

  it('the provider configuration names issuer, JWKS URI and the algorithms in use', () => {
    const conf = openIDConfiguration('https://issuer', 'https://10.0.0.1:6443/openid/v1/jwks', [
      rsaKey().publicKey,
      ecKey().publicKey,
    ]);
    assert.deepEqual(conf, {
      issuer: 'https://issuer',
      jwks_uri: 'https://10.0.0.1:6443/openid/v1/jwks',
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256', 'RS256'],
    });
  });

  it('other paths fall through to the documents behind', () => {
    const inner = { serve: () => ({ status: 200, contentType: 'text/plain', body: 'inner' }) };
    const docs = withIssuerDiscovery(inner, 'https://issuer', [rsaKey().publicKey], 'https://127.0.0.1:6443');
    assert.equal(docs.serve('/openapi/v2', undefined, new URLSearchParams())?.body, 'inner');
    const jwks = docs.serve('/openid/v1/jwks', undefined, new URLSearchParams())!;
    assert.equal(jwks.contentType, 'application/jwk-set+json');
    assert.equal(jwks.headers?.['Cache-Control'], 'public, max-age=3600');
    const conf = JSON.parse(
      String(docs.serve('/.well-known/openid-configuration', undefined, new URLSearchParams())!.body),
    );
    assert.equal(conf.jwks_uri, 'https://127.0.0.1:6443/openid/v1/jwks');
  });
});

describe('TokenRequest validation', () => {
  it('expirationSeconds must be between 10 minutes and 2^32 seconds', () => {
    assert.deepEqual(validateTokenRequest(600), []);
    assert.deepEqual(validateTokenRequest(599).map(errorText), [
      'spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes',
    ]);
    assert.deepEqual(validateTokenRequest(2 ** 32 + 1).map(errorText), [
      'spec.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds',
    ]);
  });
});
