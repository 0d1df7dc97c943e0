// --encryption-provider-config-automatic-reload: upstream's DynamicEncryptionConfigContent
// (k8s.io/apiserver/pkg/server/options/encryptionconfig/controller). The file is looked at every
// interval (upstream: a minute) and whenever its directory changes; when the SHA-256 of its
// bytes differs from the configuration in use, it is parsed, validated and its kms plugins
// started. A good one replaces the configuration in use; a bad one is logged and counted and
// the configuration in use stays, to be tried again at the next look.
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { logger } from '../../util/log.js';
import {
  parseEncryptionConfigurationFile,
  readEncryptionConfigurationFile,
  type EncryptionConfig,
} from './config.js';
import type { ReloadMetrics } from './reload-metrics.js';

const log = logger('encryption-config-controller');

/** upstream's EncryptionConfigFileChangePollDuration */
export const RELOAD_INTERVAL_MS = 60_000;
/** file events come in bursts (truncate, write, rename): one look after the burst */
const SETTLE_MS = 100;

export type ReloadOutcome = 'unchanged' | 'reloaded' | 'failed';

export const contentHash = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

export interface ReloadOptions {
  path: string;
  /** The hash of the bytes the configuration in use was made from. */
  loadedHash: string;
  /** Puts a new, started configuration in use. */
  apply: (config: EncryptionConfig) => void;
  metrics: ReloadMetrics;
  intervalMs?: number;
  /** Parses and starts a configuration (default: the file's parser, then start()); throws if bad. */
  load?: (path: string, data: Buffer) => Promise<EncryptionConfig>;
}

async function parseAndStart(path: string, data: Buffer): Promise<EncryptionConfig> {
  const config = parseEncryptionConfigurationFile(path, data);
  await config.start(); // kms plugins must answer Status and give a first key, as at start
  return config;
}

export class EncryptionConfigReloader {
  private lastHash: string;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private settle: NodeJS.Timeout | undefined;
  private watcher: FSWatcher | undefined;
  private disposed = false;

  constructor(private readonly opts: ReloadOptions) {
    this.lastHash = opts.loadedHash;
  }

  start(): void {
    log.info('Starting controller', { name: 'encryption-provider-config-automatic-reload-controller' });
    this.timer = setInterval(() => void this.check(), this.opts.intervalMs ?? RELOAD_INTERVAL_MS);
    this.timer.unref();
    try {
      // the directory, not the file: editors and Secret volumes replace the file by a rename
      this.watcher = watch(dirname(this.opts.path), { persistent: false }, () => this.soon());
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined; // the interval still looks
      });
    } catch {
      // no file events here (e.g. the directory cannot be watched): the interval looks alone
    }
  }

  private soon(): void {
    if (this.settle || this.disposed) return;
    this.settle = setTimeout(() => {
      this.settle = undefined;
      void this.check();
    }, SETTLE_MS);
    this.settle.unref();
  }

  /** Looks at the file once (after any look under way). */
  check(): Promise<ReloadOutcome> {
    const run = this.queue.then(() => this.look());
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async look(): Promise<ReloadOutcome> {
    if (this.disposed) return 'unchanged';
    const { path } = this.opts;
    let config: EncryptionConfig;
    let hash: string;
    try {
      const data = readEncryptionConfigurationFile(path);
      hash = contentHash(data);
      if (hash === this.lastHash) return 'unchanged';
      config = await (this.opts.load ?? parseAndStart)(path, data);
    } catch (err) {
      if (this.disposed) return 'unchanged';
      this.opts.metrics.recordFailure();
      log.error(`error processing encryption config file ${path}: ${(err as Error).message}`);
      return 'failed';
    }
    if (this.disposed) {
      config.stop();
      return 'unchanged';
    }
    this.opts.apply(config);
    this.lastHash = hash;
    this.opts.metrics.recordSuccess();
    log.info('Loaded new kms encryption config content', { path });
    return 'reloaded';
  }

  dispose(): void {
    this.disposed = true;
    clearInterval(this.timer);
    clearTimeout(this.settle);
    this.watcher?.close();
  }
}
