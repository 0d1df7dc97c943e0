// Cost of authentication per request: verifying a service-account token (RS256 signature,
// claims, account lookup), a static token, and issuing tokens (TokenRequest).
// Run: node dist/bench/auth-authn/main.js
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KubeObject } from '../../src/api/types.js';
import { ServiceAccountTokens } from '../../src/apiserver/auth/authn/service-accounts.js';
import { DEFAULT_ISSUER } from '../../src/apiserver/auth/authn/sa-claims.js';
import { parseTokenFile } from '../../src/apiserver/auth/authn/token-file.js';
import { algorithmOf, keyId } from '../../src/pki/jwt.js';

function key(type: 'rsa' | 'ec') {
  const { privateKey } =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, algorithm: algorithmOf(privateKey), keyId: keyId(publicKey) };
}

async function rate(name: string, n: number, fn: () => unknown): Promise<void> {
  for (let i = 0; i < Math.min(200, n); i++) await fn();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(
    `${name.padEnd(46)} ${Math.round(n / s)
      .toString()
      .padStart(8)} /s   ${((s / n) * 1e6).toFixed(1).padStart(7)} µs each`,
  );
}

const sa = {
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name: 'robot', namespace: 'default', uid: 'u1' },
} as KubeObject;
const auds = [DEFAULT_ISSUER];
for (const type of ['rsa', 'ec'] as const) {
  const tokens = new ServiceAccountTokens({
    issuer: DEFAULT_ISSUER,
    apiAudiences: auds,
    key: key(type),
    getter: (resource) => Promise.resolve(resource === 'serviceaccounts' ? sa : undefined),
  });
  const { token } = tokens.issue(sa, {}, 3600, auds);
  await rate(`service-account token verify (${type === 'rsa' ? 'RS256' : 'ES256'})`, 5000, () =>
    tokens.authenticator.authenticateToken(token, auds),
  );
  await rate(`service-account token issue (${type === 'rsa' ? 'RS256' : 'ES256'})`, 2000, () =>
    tokens.issue(sa, {}, 3600, auds),
  );
}
const lines = Array.from({ length: 1000 }, (_, i) => `token-${i},user-${i},uid-${i},"g1,g2"`).join('\n');
const file = parseTokenFile(lines, 'bench.csv');
await rate('static token lookup (1,000-line file)', 1_000_000, () => file.get('token-500'));
