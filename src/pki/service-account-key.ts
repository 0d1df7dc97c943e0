// The service-account signing key: <data-dir>/server/tls/service.key, as k3s keeps it. Made at
// first start (RSA 2048, PKCS#1 PEM as k3s writes it) and reused after; an operator may put an
// ECDSA key there instead (upstream accepts both). The API server verifies with its public
// half; the tokens controller signs legacy Secret tokens with the same file.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { algorithmOf, keyId, type JwsAlgorithm } from './jwt.js';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  algorithm: JwsAlgorithm;
  keyId: string;
}

export function serviceAccountKeyPath(dataDir: string): string {
  return join(dataDir, 'server', 'tls', 'service.key');
}

/** Loads a PEM private key (PKCS#1, PKCS#8 or SEC 1). */
export function loadSigningKey(path: string): SigningKey {
  const privateKey = createPrivateKey(readFileSync(path, 'utf8'));
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, algorithm: algorithmOf(privateKey), keyId: keyId(publicKey) };
}

/** The key at `path`, made first when the file does not exist. */
export function ensureSigningKey(path: string): SigningKey {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    // 'wx': never overwrite a key another process wrote meanwhile
    try {
      writeFileSync(path, privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return loadSigningKey(path);
}
