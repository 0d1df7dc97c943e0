// Compact JWS (RFC 7515) signing and verification with node:crypto, for service-account
// tokens. Only the asymmetric algorithms upstream's service-account signer accepts: RS256 for
// RSA keys, ES256/ES384/ES512 for ECDSA P-256/P-384/P-521 keys.
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export type JwsAlgorithm = 'RS256' | 'ES256' | 'ES384' | 'ES512';

/** Why a JWT was refused; the message is safe to show in a TokenReview, never in a 401. */
export class TokenError extends Error {}

const HASH: Record<JwsAlgorithm, string> = {
  RS256: 'sha256',
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
};

export function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** The algorithm a key signs with, as upstream's signer picks it (RSA → RS256, EC by curve). */
export function algorithmOf(key: KeyObject): JwsAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ES256';
    if (curve === 'secp384r1') return 'ES384';
    if (curve === 'secp521r1') return 'ES512';
  }
  throw new Error(`unsupported service account key type ${key.asymmetricKeyType ?? '?'}`);
}

/** upstream's keyIDFromPublicKey: base64url(SHA-256(PKIX DER of the public key)), unpadded. */
export function keyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url');
}

/**
 * Keys sorted at every level, as Go's encoding/json writes maps: go-jose merges the public and
 * private claims into one map, so upstream's tokens carry their claims in this order.
 */
function sortedJSON(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

export function signJWT(claims: Record<string, unknown>, privateKey: KeyObject): string {
  const alg = algorithmOf(privateKey);
  const header = { alg, kid: keyId(createPublicKey(privateKey)) };
  const input = `${base64url(JSON.stringify(header))}.${base64url(sortedJSON(claims))}`;
  const signature = sign(HASH[alg], Buffer.from(input), {
    key: privateKey,
    ...(alg === 'RS256' ? {} : { dsaEncoding: 'ieee-p1363' as const }),
  });
  return `${input}.${signature.toString('base64url')}`;
}

export interface ParsedJWT {
  header: { alg?: unknown; kid?: unknown };
  claims: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

const SEGMENT = /^[A-Za-z0-9_-]*$/;

/** Splits and decodes a compact JWS without checking it; undefined when it is not one. */
export function parseJWT(token: string): ParsedJWT | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p)) || !parts[0] || !parts[1]) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as unknown;
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown;
    if (!isObject(header) || !isObject(claims)) return undefined;
    return {
      header,
      claims,
      signingInput: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2]!, 'base64url'),
    };
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Throws TokenError unless one of the keys made the signature with the header's algorithm. */
export function verifySignature(jwt: ParsedJWT, publicKeys: KeyObject[]): void {
  const alg = jwt.header.alg;
  if (typeof alg !== 'string' || !(alg in HASH)) throw new TokenError('invalid signature algorithm');
  for (const key of publicKeys) {
    let keyAlg: JwsAlgorithm;
    try {
      keyAlg = algorithmOf(key);
    } catch {
      continue;
    }
    if (keyAlg !== alg) continue;
    const ok = verify(
      HASH[keyAlg],
      Buffer.from(jwt.signingInput),
      {
        key,
        ...(keyAlg === 'RS256' ? {} : { dsaEncoding: 'ieee-p1363' as const }),
      },
      jwt.signature,
    );
    if (ok) return;
  }
  throw new TokenError('invalid signature');
}
