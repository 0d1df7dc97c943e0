// Service-account issuer discovery (upstream's pkg/serviceaccount/openidmetadata.go): the
// OpenID provider configuration at /.well-known/openid-configuration and the key set at
// /openid/v1/jwks, so that relying parties outside the cluster can verify our tokens.
import type { KeyObject } from 'node:crypto';
import { algorithmOf, keyId } from '../../../pki/jwt.js';
import type { DocumentServer, ServedDocument } from '../../handler.js';

export const OPENID_CONFIGURATION_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/openid/v1/jwks';
/** upstream overrides the API's `no-cache, private` here: the documents are public and change rarely. */
const CACHE_CONTROL = 'public, max-age=3600';

/** A public key as go-jose writes a JSONWebKey (field order use, kty, kid, crv, alg, x, y, n, e). */
export function jwkOf(key: KeyObject): Record<string, string> {
  const jwk = key.export({ format: 'jwk' });
  const out: Record<string, string> = { use: 'sig', kty: String(jwk.kty), kid: keyId(key) };
  if (jwk.crv) out.crv = jwk.crv;
  out.alg = algorithmOf(key);
  if (jwk.x) out.x = jwk.x;
  if (jwk.y) out.y = jwk.y;
  if (jwk.n) out.n = jwk.n;
  if (jwk.e) out.e = jwk.e;
  return out;
}

export function openIDConfiguration(
  issuer: string,
  jwksURI: string,
  keys: KeyObject[],
): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: jwksURI,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...new Set(keys.map(algorithmOf))].sort(),
  };
}

/**
 * Serves the two documents in front of `inner`. The JWKS URI is on this server's external
 * address unless given (upstream's --service-account-jwks-uri).
 */
export function withIssuerDiscovery(
  inner: DocumentServer,
  issuer: string,
  keys: KeyObject[],
  externalURL: string,
  jwksURI = new URL(JWKS_PATH, externalURL).toString(),
): DocumentServer {
  const config: ServedDocument = {
    status: 200,
    contentType: 'application/json',
    body: JSON.stringify(openIDConfiguration(issuer, jwksURI, keys)),
    headers: { 'Cache-Control': CACHE_CONTROL },
  };
  const jwks: ServedDocument = {
    status: 200,
    contentType: 'application/jwk-set+json',
    body: JSON.stringify({ keys: keys.map(jwkOf) }),
    headers: { 'Cache-Control': CACHE_CONTROL },
  };
  return {
    serve(path, accept, query) {
      if (path === OPENID_CONFIGURATION_PATH) return config;
      if (path === JWKS_PATH) return jwks;
      return inner.serve(path, accept, query);
    },
  };
}
