// The `kms` provider with apiVersion v2 (k8s.io/apiserver .../envelope/kmsv2): values are sealed
// locally with keys derived from a seed; only the seed goes to the KMS plugin (Encrypt), once
// per seed, and comes back (Decrypt) the first time a value sealed with an unknown seed is read.
// A new seed is made at start and whenever the plugin's Status reports another key_id (a KEK
// rotation); values whose keyID is not the current one read as stale, so a rewrite
// (`kubectl replace`) seals them again with the current key.
import { randomBytes, randomUUID } from 'node:crypto';
import { logger } from '../../../util/log.js';
import { DecryptError, ENCRYPTED_PREFIX, type ValueTransformer } from '../providers.js';
import type { KmsClient } from './client.js';
import {
  decodeEncryptedObject,
  DEK_SOURCE_HKDF_SEED,
  encodeEncryptedObject,
  openWithDEKSource,
  sealWithSeed,
  type EncryptedObject,
} from './envelope.js';

const log = logger('kms');
/** upstream's kmsv2 status poll intervals (healthy / unhealthy) */
const STATUS_INTERVAL_MS = 60_000;
const STATUS_RETRY_MS = 10_000;
/** decrypted seeds kept (upstream caches DEK sources in a bounded LRU) */
const SEED_CACHE_ENTRIES = 1000;
const SEED_BYTES = 32;

interface WriteSeed {
  seed: Buffer;
  keyID: string;
  encryptedDEKSource: Buffer;
  annotations: Record<string, Buffer>;
}

export interface KmsTransformer extends ValueTransformer {
  /** Checks Status and makes the first seed; the server does not start without it. */
  start(): Promise<void>;
  stop(): void;
}

export function kmsV2Transformer(providerName: string, client: KmsClient): KmsTransformer {
  const prefix = `${ENCRYPTED_PREFIX}kms:v2:${providerName}:`;
  const seeds = new Map<string, Buffer>();
  let write: WriteSeed | undefined;
  let statusKeyID = '';
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const remember = (encrypted: Uint8Array, seed: Buffer) => {
    const key = Buffer.from(encrypted).toString('base64');
    seeds.delete(key);
    seeds.set(key, seed);
    if (seeds.size > SEED_CACHE_ENTRIES) seeds.delete(seeds.keys().next().value!);
  };

  async function status(): Promise<string> {
    const s = await client.status();
    if (s.version !== 'v2' && s.version !== 'v2beta1')
      throw new Error(`got unexpected KMS v2 plugin version "${s.version}", want v2`);
    if (s.healthz !== 'ok') throw new Error(`got unexpected healthz status: ${s.healthz}`);
    if (!s.key_id) throw new Error('got unexpected empty keyID');
    return s.key_id;
  }

  async function newSeed(): Promise<void> {
    const seed = randomBytes(SEED_BYTES);
    const r = await client.encrypt(seed, randomUUID());
    if (!r.key_id) throw new Error('failed to encrypt DEK: keyID returned from Encrypt is empty');
    write = { seed, keyID: r.key_id, encryptedDEKSource: r.ciphertext, annotations: r.annotations ?? {} };
    remember(r.ciphertext, seed);
    log.info('kms v2 seed ready', { provider: providerName, keyID: r.key_id });
  }

  async function poll(): Promise<void> {
    let next = STATUS_INTERVAL_MS;
    try {
      const keyID = await status();
      statusKeyID = keyID;
      if (keyID !== write?.keyID) await newSeed(); // the plugin rotated its KEK
    } catch (err) {
      next = STATUS_RETRY_MS;
      log.warn('kms v2 status failed', { provider: providerName, error: (err as Error).message });
    }
    if (!stopped) timer = setTimeout(() => void poll(), next);
  }

  function decode(stored: Uint8Array): EncryptedObject {
    try {
      return decodeEncryptedObject(stored.subarray(prefix.length));
    } catch (err) {
      throw new DecryptError(`failed to unmarshal encrypted object: ${(err as Error).message}`);
    }
  }

  return {
    prefix,
    name: `kms/${providerName}`,
    async start() {
      statusKeyID = await status();
      await newSeed();
      timer = setTimeout(() => void poll(), STATUS_INTERVAL_MS);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      client.close();
    },
    seal(plain, storageKey) {
      if (!write) throw new Error(`kms provider ${providerName} has no data encryption key yet`);
      const obj: EncryptedObject = {
        encryptedData: sealWithSeed(write.seed, plain, storageKey),
        keyID: write.keyID,
        encryptedDEKSource: write.encryptedDEKSource,
        annotations: write.annotations,
        encryptedDEKSourceType: DEK_SOURCE_HKDF_SEED,
      };
      return Buffer.concat([Buffer.from(prefix), encodeEncryptedObject(obj)]);
    },
    open(stored, storageKey) {
      const obj = decode(stored);
      const data = (source: Uint8Array) => {
        try {
          return openWithDEKSource(source, obj.encryptedDEKSourceType, obj.encryptedData, storageKey);
        } catch (err) {
          throw new DecryptError((err as Error).message);
        }
      };
      const cached = seeds.get(Buffer.from(obj.encryptedDEKSource).toString('base64'));
      if (cached) return data(cached);
      return client
        .decrypt({
          ciphertext: obj.encryptedDEKSource,
          uid: randomUUID(),
          key_id: obj.keyID,
          annotations: obj.annotations,
        })
        .then(
          (seed) => {
            remember(obj.encryptedDEKSource, seed);
            return data(seed);
          },
          (err: Error) => {
            throw new DecryptError(`failed to decrypt DEK, error: ${err.message}`);
          },
        );
    },
    stale(stored) {
      return decode(stored).keyID !== statusKeyID;
    },
  };
}
