// Encryption at rest: --encryption-provider-config wraps the datastore (see ./storage.ts).
import type { Storage } from '../types.js';
import { loadEncryptionConfiguration, type GroupResource } from './config.js';
import { chainResolver, encryptedStorage } from './storage.js';

export { parseEncryptionConfiguration, loadEncryptionConfiguration } from './config.js';
export type { GroupResource } from './config.js';

/**
 * storage unchanged without a config file; else values of the configured resources are
 * encrypted. Waits for the kms plugins' first keys; closing the storage disconnects them.
 */
export async function withEncryption(
  storage: Storage,
  configPath: string | undefined,
  storedResources: Map<string, GroupResource>,
): Promise<Storage> {
  if (!configPath) return storage;
  const config = loadEncryptionConfiguration(configPath);
  await config.start();
  const encrypted = encryptedStorage(storage, chainResolver(config, storedResources), () => config.stop());
  const check = config.kmsHealthCheck();
  if (check) kmsChecks.set(encrypted, check);
  return encrypted;
}

const kmsChecks = new WeakMap<Storage, () => Promise<void>>();

/** The `kms-providers` health check of a storage withEncryption made, if it has kms providers. */
export function kmsHealthCheck(storage: Storage): (() => Promise<void>) | undefined {
  return kmsChecks.get(storage);
}

export { envelopeMetrics } from './kms/metrics.js';
