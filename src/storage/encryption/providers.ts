// Value transformers of upstream's EncryptionConfiguration providers
// (k8s.io/apiserver/pkg/storage/value/encrypt/{aes,secretbox,identity}). Each stored value is
// `k8s:enc:<provider>:v1:<key name>:` followed by the provider's bytes, so that any configured
// key can tell whether a value is its own, as upstream's prefix transformer does:
//   aescbc:    iv(16) || AES-CBC(PKCS#7-padded plaintext)
//   aesgcm:    nonce(12) || AES-GCM(plaintext, additional data = the storage key) || tag(16)
//   secretbox: nonce(24) || tag(16) || XSalsa20(plaintext)
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SECRETBOX_NONCE_BYTES, secretboxOpen, secretboxSeal } from './secretbox.js';

export const ENCRYPTED_PREFIX = 'k8s:enc:';

export interface ValueTransformer {
  /** Written in front of every value this transformer produces ('' for identity). */
  readonly prefix: string;
  /** `<provider>/<key name>` for logs and errors ('identity' for identity). */
  readonly name: string;
  /** plaintext → stored bytes, prefix included. storageKey is the datastore key (authenticated by aesgcm). */
  seal(plain: Uint8Array, storageKey: string): Uint8Array;
  /**
   * stored bytes (prefix included) → plaintext; throws (or rejects) when they do not decrypt.
   * Local keys answer at once; kms answers later when it must ask its plugin for a key.
   */
  open(stored: Uint8Array, storageKey: string): Uint8Array | Promise<Uint8Array>;
  /** Whether a value this transformer opens should be rewritten anyway (kms: an older KEK). */
  stale?(stored: Uint8Array): boolean;
  /** Set up before the first use (kms: the plugin's Status and the first key). */
  start?(): Promise<void>;
  stop?(): void;
}

export interface Opened {
  plain: Uint8Array;
  stale: boolean;
}

export class DecryptError extends Error {}

function withPrefix(prefix: string, ...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat([Buffer.from(prefix), ...parts]);
}

export function identityTransformer(): ValueTransformer {
  return {
    prefix: '',
    name: 'identity',
    seal: (plain) => plain,
    open(stored) {
      if (Buffer.from(stored.subarray(0, ENCRYPTED_PREFIX.length)).toString() === ENCRYPTED_PREFIX)
        throw new DecryptError('identity transformer tried to read encrypted data');
      return stored;
    },
  };
}

export function aescbcTransformer(keyName: string, key: Uint8Array): ValueTransformer {
  const prefix = `${ENCRYPTED_PREFIX}aescbc:v1:${keyName}:`;
  const algorithm = `aes-${key.length * 8}-cbc`;
  return {
    prefix,
    name: `aescbc/${keyName}`,
    seal(plain) {
      const iv = randomBytes(16);
      const c = createCipheriv(algorithm, key, iv);
      return withPrefix(prefix, iv, c.update(plain), c.final());
    },
    open(stored) {
      const body = stored.subarray(prefix.length);
      if (body.length < 16) throw new DecryptError('the stored data was shorter than the required size');
      if ((body.length - 16) % 16 !== 0)
        throw new DecryptError('the stored data is not a multiple of the block size');
      try {
        const d = createDecipheriv(algorithm, key, body.subarray(0, 16));
        return Buffer.concat([d.update(body.subarray(16)), d.final()]);
      } catch {
        throw new DecryptError('invalid PKCS7 data (empty or not padded)');
      }
    },
  };
}

export function aesgcmTransformer(keyName: string, key: Uint8Array): ValueTransformer {
  const prefix = `${ENCRYPTED_PREFIX}aesgcm:v1:${keyName}:`;
  const algorithm = `aes-${key.length * 8}-gcm` as 'aes-256-gcm';
  return {
    prefix,
    name: `aesgcm/${keyName}`,
    seal(plain, storageKey) {
      const nonce = randomBytes(12);
      const c = createCipheriv(algorithm, key, nonce);
      c.setAAD(Buffer.from(storageKey));
      const body = Buffer.concat([c.update(plain), c.final()]);
      return withPrefix(prefix, nonce, body, c.getAuthTag());
    },
    open(stored, storageKey) {
      const body = stored.subarray(prefix.length);
      if (body.length < 12 + 16) throw new DecryptError('the stored data was shorter than the required size');
      try {
        const d = createDecipheriv(algorithm, key, body.subarray(0, 12));
        d.setAAD(Buffer.from(storageKey));
        d.setAuthTag(body.subarray(body.length - 16));
        return Buffer.concat([d.update(body.subarray(12, body.length - 16)), d.final()]);
      } catch {
        throw new DecryptError('cipher: message authentication failed');
      }
    },
  };
}

export function secretboxTransformer(keyName: string, key: Uint8Array): ValueTransformer {
  const prefix = `${ENCRYPTED_PREFIX}secretbox:v1:${keyName}:`;
  return {
    prefix,
    name: `secretbox/${keyName}`,
    seal(plain) {
      const nonce = randomBytes(SECRETBOX_NONCE_BYTES);
      return withPrefix(prefix, nonce, secretboxSeal(plain, nonce, key));
    },
    open(stored) {
      const body = stored.subarray(prefix.length);
      if (body.length < SECRETBOX_NONCE_BYTES)
        throw new DecryptError('the stored data was shorter than the required size');
      const plain = secretboxOpen(
        body.subarray(SECRETBOX_NONCE_BYTES),
        body.subarray(0, SECRETBOX_NONCE_BYTES),
        key,
      );
      if (!plain) throw new DecryptError('output array was not large enough for encryption');
      return plain;
    },
  };
}

/**
 * A resource's providers in configuration order: the first seals every write; reading tries
 * each transformer whose prefix the value carries (identity matches anything not encrypted).
 */
export class ProviderChain {
  constructor(readonly transformers: ValueTransformer[]) {
    if (!transformers.length) throw new Error('at least one provider is required');
  }

  seal(plain: Uint8Array, storageKey: string): Uint8Array {
    return this.transformers[0].seal(plain, storageKey);
  }

  /**
   * The plaintext, and whether it was sealed by anything but the transformer writes use; a
   * promise only when a transformer had to ask elsewhere (kms).
   */
  open(stored: Uint8Array, storageKey: string): Opened | Promise<Opened> {
    const head = Buffer.from(stored.subarray(0, 128)).toString('latin1');
    const candidates = [...this.transformers.entries()].filter(([, t]) => head.startsWith(t.prefix));
    // tries each candidate in order: another key with the same prefix shape (or identity) may
    // still be the right one when one fails
    const attempt = (k: number, lastError?: Error): Opened | Promise<Opened> => {
      if (k >= candidates.length) throw lastError ?? new DecryptError('no matching prefix found');
      const [i, t] = candidates[k];
      const done = (plain: Uint8Array): Opened => ({ plain, stale: i !== 0 || (t.stale?.(stored) ?? false) });
      let result: Uint8Array | Promise<Uint8Array>;
      try {
        result = t.open(stored, storageKey);
      } catch (err) {
        return attempt(k + 1, err as Error);
      }
      if (result instanceof Promise) return result.then(done, (err: Error) => attempt(k + 1, err));
      return done(result);
    };
    return attempt(0);
  }
}
