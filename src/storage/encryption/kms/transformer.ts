// The `kms` provider with apiVersion v2 (k8s.io/apiserver .../envelope/kmsv2): values are sealed
// locally with keys derived from a seed; only the seed goes to the KMS plugin (Encrypt), once
// per seed, and comes back (Decrypt) the first time a value sealed with an unknown seed is read.
// A new seed is made at start and whenever the plugin's Status reports another key_id (a KEK
// rotation); values whose keyID is not the current one read as stale, so a rewrite
// (`kubectl replace`) seals them again with the current key.
//
// Status is asked by upstream's probe: every minute (every second while failing), and by the
// `kms-providers` health check of /healthz, /livez and /readyz, whose answer is kept 20 s when
// healthy, 3 s when not; so a rotation is noticed at the next health probe after that. k8ts also
// asks at once (at most every 3 s) when a read meets a key ID it has not seen: a KEK another
// server already rotated to.
import { randomBytes, randomUUID } from 'node:crypto';
import { logger } from '../../../util/log.js';
import { DecryptError, ENCRYPTED_PREFIX, type ValueTransformer } from '../providers.js';
import type { KmsClient } from './client.js';
import { envelopeMetrics, FROM_STORAGE, keyIDHash, TO_STORAGE } from './metrics.js';
import {
  decodeEncryptedObject,
  DEK_SOURCE_HKDF_SEED,
  encodeEncryptedObject,
  openWithDEKSource,
  sealWithSeed,
  type EncryptedObject,
} from './envelope.js';

const log = logger('kms');
/** upstream's kmsv2PluginHealthzPositiveInterval / NegativeInterval */
const STATUS_INTERVAL_MS = 60_000;
const STATUS_RETRY_MS = 1_000;
/** upstream's kmsPluginHealthzPositiveTTL / NegativeTTL: how long a probe's answer is kept */
const POSITIVE_TTL_MS = 20_000;
const NEGATIVE_TTL_MS = 3_000;
/** upstream's ValidateKeyID limit */
const KEY_ID_MAX_BYTES = 1024;
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
  /** The provider's name in the configuration. */
  readonly providerName: string;
  /** Checks Status and makes the first seed; the server does not start without it. */
  start(): Promise<void>;
  /** upstream's kmsv2PluginProbe.check: Status (cached 20 s / 3 s), rotating the seed on a new key ID. */
  check(): Promise<void>;
  stop(): void;
}

class AggregateError extends Error {
  constructor(errors: string[]) {
    super(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);
  }
}

export function kmsV2Transformer(providerName: string, client: KmsClient): KmsTransformer {
  const prefix = `${ENCRYPTED_PREFIX}kms:v2:${providerName}:`;
  const seeds = new Map<string, Buffer>();
  let write: WriteSeed | undefined;
  let statusKeyID = '';
  let version = '';
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let last: { at: number; ok: boolean; result: Promise<void> } | undefined;
  let checking: Promise<void> | undefined;
  const seenKeyIDs = new Set<string>();

  const remember = (encrypted: Uint8Array, seed: Buffer) => {
    const key = Buffer.from(encrypted).toString('base64');
    seeds.delete(key);
    seeds.set(key, seed);
    if (seeds.size > SEED_CACHE_ENTRIES) seeds.delete(seeds.keys().next().value!);
    envelopeMetrics.recordDEKSourceCacheSize(providerName, seeds.size);
  };

  async function newSeed(): Promise<void> {
    const seed = randomBytes(SEED_BYTES);
    const r = await client.encrypt(seed, randomUUID());
    if (!r.key_id) throw new Error('failed to encrypt DEK: keyID returned from Encrypt is empty');
    write = { seed, keyID: r.key_id, encryptedDEKSource: r.ciphertext, annotations: r.annotations ?? {} };
    remember(r.ciphertext, seed);
    log.info('kms v2 seed ready', { provider: providerName, keyIDHash: keyIDHash(r.key_id) });
  }

  /** upstream's isKMSv2ProviderHealthyAndMaybeRotateDEK */
  async function healthyAndMaybeRotate(s: {
    version: string;
    healthz: string;
    key_id: string;
  }): Promise<void> {
    const errs: string[] = [];
    if (s.healthz !== 'ok') errs.push(`got unexpected healthz status: ${s.healthz}`);
    if (s.version !== 'v2' && s.version !== 'v2beta1')
      errs.push(`expected KMSv2 API version v2, got ${s.version}`);
    else if (version && s.version !== version)
      errs.push(
        `KMSv2 API version should not change after the initial status response version ${version}, got ${s.version}`,
      );
    else version = s.version;
    const invalid = !s.key_id
      ? ['empty', 'keyID is empty']
      : Buffer.byteLength(s.key_id) > KEY_ID_MAX_BYTES
        ? [
            'too_long',
            `keyID is ${Buffer.byteLength(s.key_id)} bytes, which exceeds the max size of ${KEY_ID_MAX_BYTES}`,
          ]
        : undefined;
    if (invalid) {
      envelopeMetrics.recordInvalidKeyIDFromStatus(providerName, invalid[0]);
      errs.push(`got invalid KMSv2 KeyID hash ${JSON.stringify(keyIDHash(s.key_id))}: ${invalid[1]}`);
    } else {
      envelopeMetrics.recordKeyIDFromStatus(providerName, s.key_id);
      statusKeyID = s.key_id;
      if (s.key_id !== write?.keyID) {
        // the plugin rotated its KEK (or this is the first status): a seed under the new key
        try {
          await newSeed();
          if (write?.keyID !== s.key_id)
            throw new Error(`encrypt returned keyID hash ${JSON.stringify(keyIDHash(write?.keyID ?? ''))}`);
        } catch (err) {
          errs.push(
            `failed to rotate DEK, statusKeyIDHash=${JSON.stringify(keyIDHash(s.key_id))}, error: ${(err as Error).message}`,
          );
        }
      }
    }
    if (errs.length)
      throw new Error(
        `kmsv2 Provider ${providerName} is not healthy, error: ${new AggregateError(errs).message}`,
      );
  }

  /** upstream's kmsv2PluginProbe.check; `force` ignores a cached healthy answer (not a failed one). */
  function check(force = false): Promise<void> {
    if (checking) return checking; // one Status at a time; everyone waits for its answer
    const now = Date.now();
    if (last && now - last.at < (last.ok ? (force ? 0 : POSITIVE_TTL_MS) : NEGATIVE_TTL_MS))
      return last.result;
    const result = (async () => {
      let s: Awaited<ReturnType<KmsClient['status']>>;
      try {
        s = await client.status();
      } catch (err) {
        throw new Error(
          `failed to perform status section of the healthz check for KMS Provider ${providerName}, error: ${(err as Error).message}`,
        );
      }
      await healthyAndMaybeRotate(s);
    })();
    result.catch(() => undefined); // read by callers; never an unhandled rejection
    checking = result;
    void result.then(
      () => void ((last = { at: Date.now(), ok: true, result }), (checking = undefined)),
      () => void ((last = { at: Date.now(), ok: false, result }), (checking = undefined)),
    );
    return result;
  }

  async function poll(): Promise<void> {
    let next = STATUS_INTERVAL_MS;
    try {
      await check();
    } catch (err) {
      next = STATUS_RETRY_MS;
      log.warn('kms plugin failed health check probe', {
        provider: providerName,
        error: (err as Error).message,
      });
    }
    if (!stopped) timer = setTimeout(() => void poll(), next);
  }

  /** A read met a key ID other than the one we write with: has the plugin (or a peer) rotated? */
  function noticeKeyID(keyID: string): void {
    if (keyID === write?.keyID || seenKeyIDs.has(keyID)) return;
    seenKeyIDs.add(keyID);
    if (seenKeyIDs.size > SEED_CACHE_ENTRIES) seenKeyIDs.delete(seenKeyIDs.values().next().value!);
    check(true).catch(() => undefined);
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
    providerName,
    async start() {
      // the first status must be healthy: a server does not start without its plugin
      await check();
      timer = setTimeout(() => void poll(), STATUS_INTERVAL_MS);
    },
    check: () => check(),
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
      envelopeMetrics.recordKeyID(TO_STORAGE, providerName, write.keyID);
      return Buffer.concat([Buffer.from(prefix), encodeEncryptedObject(obj)]);
    },
    open(stored, storageKey) {
      const obj = decode(stored);
      envelopeMetrics.recordKeyID(FROM_STORAGE, providerName, obj.keyID);
      noticeKeyID(obj.keyID);
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
