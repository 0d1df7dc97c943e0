// Encryption at rest: --encryption-provider-config wraps the datastore (see ./storage.ts);
// --encryption-provider-config-automatic-reload keeps watching the file (see ./reload.ts).
import type { Storage } from '../types.js';
import {
  parseEncryptionConfigurationFile,
  readEncryptionConfigurationFile,
  type GroupResource,
} from './config.js';
import { DynamicEncryption } from './dynamic.js';
import { contentHash, EncryptionConfigReloader } from './reload.js';
import { reloadMetrics } from './reload-metrics.js';
import { chainResolver, encryptedStorage } from './storage.js';

export { parseEncryptionConfiguration, loadEncryptionConfiguration } from './config.js';
export type { GroupResource } from './config.js';

export interface EncryptionOptions {
  /** --encryption-provider-config-automatic-reload */
  automaticReload?: boolean;
  /** How often the reload controller looks at the file (default: upstream's minute). */
  reloadIntervalMs?: number;
}

/**
 * storage unchanged without a config file; else values of the configured resources are
 * encrypted. Waits for the kms plugins' first keys; closing the storage disconnects them (and
 * stops the reload controller).
 */
export async function withEncryption(
  storage: Storage,
  configPath: string | undefined,
  storedResources: Map<string, GroupResource>,
  opts: EncryptionOptions = {},
): Promise<Storage> {
  if (!configPath) return storage;
  const data = readEncryptionConfigurationFile(configPath);
  const config = parseEncryptionConfigurationFile(configPath, data);
  await config.start();
  if (!opts.automaticReload) {
    const encrypted = encryptedStorage(storage, chainResolver(config, storedResources), () => config.stop());
    const check = config.kmsHealthCheck();
    if (check) kmsChecks.set(encrypted, check);
    return encrypted;
  }
  const dynamic = new DynamicEncryption(config, storedResources);
  const reloader = new EncryptionConfigReloader({
    path: configPath,
    loadedHash: contentHash(data),
    apply: (next) => dynamic.set(next),
    metrics: reloadMetrics,
    intervalMs: opts.reloadIntervalMs,
  });
  const encrypted = encryptedStorage(storage, dynamic.chainFor, () => {
    reloader.dispose();
    dynamic.stop();
  });
  // upstream: with automatic reload there is always exactly one check, kms-providers
  kmsChecks.set(encrypted, dynamic.healthCheck);
  reloader.start();
  return encrypted;
}

const kmsChecks = new WeakMap<Storage, () => Promise<void>>();

/** The `kms-providers` health check of a storage withEncryption made, if it has one. */
export function kmsHealthCheck(storage: Storage): (() => Promise<void>) | undefined {
  return kmsChecks.get(storage);
}

export { envelopeMetrics } from './kms/metrics.js';
export { reloadMetrics } from './reload-metrics.js';
