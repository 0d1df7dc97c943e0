// The encryption configuration in use, replaceable while the server runs (upstream's
// DynamicTransformers): storage asks it for a key's provider chain on every read and write, so
// a swap takes effect for the next operation. A replaced configuration's kms providers stay
// connected for its grace period (reads already under way may still need them), then stop.
import type { EncryptionConfig, GroupResource } from './config.js';
import type { ProviderChain } from './providers.js';
import { chainResolver } from './storage.js';

export class DynamicEncryption {
  private current: EncryptionConfig;
  private resolve: (key: string) => ProviderChain | undefined;
  private readonly retiring = new Map<NodeJS.Timeout, EncryptionConfig>();
  private stopped = false;

  constructor(
    config: EncryptionConfig,
    private readonly storedResources: Map<string, GroupResource>,
  ) {
    this.current = config;
    this.resolve = chainResolver(config, storedResources);
  }

  get config(): EncryptionConfig {
    return this.current;
  }

  /** The chain for a datastore key under the configuration in use now. */
  readonly chainFor = (key: string): ProviderChain | undefined => this.resolve(key);

  /** Puts a started configuration in place of the current one. */
  set(config: EncryptionConfig): void {
    if (this.stopped) {
      config.stop();
      return;
    }
    const old = this.current;
    this.current = config;
    this.resolve = chainResolver(config, this.storedResources);
    if (!old.kms.length) return;
    const timer = setTimeout(() => {
      this.retiring.delete(timer);
      old.stop();
    }, old.closeGracePeriodMs);
    timer.unref();
    this.retiring.set(timer, old);
  }

  /**
   * upstream's `kms-providers` check with automatic reload: the current configuration's kms
   * plugins; present (and passing) even when it has none.
   */
  readonly healthCheck = async (): Promise<void> => {
    await this.current.kmsHealthCheck()?.();
  };

  /** Stops the current configuration and every one still in its grace period. */
  stop(): void {
    this.stopped = true;
    for (const [timer, config] of this.retiring) {
      clearTimeout(timer);
      config.stop();
    }
    this.retiring.clear();
    this.current.stop();
  }
}
