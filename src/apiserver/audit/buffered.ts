// --audit-{log,webhook}-mode: how a backend's writes relate to the request (upstream's
// AuditBatchOptions.wrapBackend). blocking-strict: the backend itself, a failed write at
// RequestReceived fails the request; blocking: the request waits for the write, failures are
// only counted; batch: upstream's buffered plugin, below.
//
// The buffered plugin: a bounded queue (batch-buffer-size; beyond it events are dropped as
// plugin "buffered", "audit buffer queue blocked"), drained in batches of batch-max-size, a
// partial batch going after batch-max-wait, at most batch-throttle-qps batches a second (burst
// batch-throttle-burst) when the throttle is on. The webhook's batches are sent concurrently
// (upstream's AsyncDelegate); the log's are written one after the other.
import { pluginError, type AuditBackend, type ErrorCounter } from './backend.js';
import type { AuditEvent } from './event.js';

export const MODES = ['batch', 'blocking', 'blocking-strict'] as const;
export type Mode = (typeof MODES)[number];

export interface BatchConfig {
  bufferSize: number;
  maxBatchSize: number;
  maxBatchWaitMs: number;
  throttleEnable: boolean;
  throttleQPS: number;
  throttleBurst: number;
  asyncDelegate: boolean;
}

/** upstream's defaultWebhookBatchConfig */
export const WEBHOOK_BATCH: BatchConfig = {
  bufferSize: 10_000,
  maxBatchSize: 400,
  maxBatchWaitMs: 30_000,
  throttleEnable: true,
  throttleQPS: 10,
  throttleBurst: 15,
  asyncDelegate: true,
};

/** upstream's defaultLogBatchConfig: batching is of no use to a file */
export const LOG_BATCH: BatchConfig = {
  bufferSize: 10_000,
  maxBatchSize: 1,
  maxBatchWaitMs: 0,
  throttleEnable: false,
  throttleQPS: 10,
  throttleBurst: 15,
  asyncDelegate: false,
};

/** A token bucket (client-go's flowcontrol.NewTokenBucketRateLimiter). */
class TokenBucket {
  private tokens: number;
  private last = performance.now();
  constructor(
    private readonly qps: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }
  /** Milliseconds to wait before the next batch may go (0 = now); takes the token. */
  take(): number {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }
}

export class BufferedBackend implements AuditBackend {
  readonly name = 'buffered';
  private queue: AuditEvent[] = [];
  private timer?: NodeJS.Timeout;
  private pumping?: Promise<void>;
  private sleep?: { timer: NodeJS.Timeout; wake: () => void };
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly throttle?: TokenBucket;
  private stopped = false;
  /** a partial batch may go (max wait passed, or shutting down) */
  private flushPartial = false;

  constructor(
    private readonly delegate: AuditBackend,
    private readonly config: BatchConfig,
    private readonly countError: ErrorCounter,
  ) {
    if (config.throttleEnable) this.throttle = new TokenBucket(config.throttleQPS, config.throttleBurst);
  }

  process(events: AuditEvent[]): boolean {
    if (this.stopped) {
      pluginError(this.countError, this.name, events.length, 'audit backend shut down');
      return true;
    }
    const room = Math.max(this.config.bufferSize - this.queue.length, 0);
    if (room < events.length) {
      pluginError(this.countError, this.name, events.length - room, 'audit buffer queue blocked');
      events = events.slice(0, room);
    }
    for (const ev of events) this.queue.push(ev);
    this.schedule();
    return true; // as upstream: the events are the buffer's now
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    this.flushPartial = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.wake();
    this.schedule();
    while (this.pumping) await this.pumping;
    // the plugin learns first, so that a webhook retries no more while its batches finish
    const delegateDone = this.delegate.shutdown();
    await Promise.allSettled([...this.inFlight]);
    await delegateDone;
  }

  private schedule(): void {
    if (!this.queue.length || this.pumping) return;
    if (this.queue.length >= this.config.maxBatchSize || this.flushPartial) {
      this.pumping = this.pump().finally(() => {
        this.pumping = undefined;
        this.schedule(); // events that came while the last batch was on its way
      });
    } else if (!this.timer) {
      // a partial batch goes after max-wait at the latest
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flushPartial = true;
        this.schedule();
      }, this.config.maxBatchWaitMs);
    }
  }

  private async pump(): Promise<void> {
    const { maxBatchSize } = this.config;
    while (this.queue.length >= maxBatchSize || (this.flushPartial && this.queue.length)) {
      clearTimeout(this.timer); // each batch opens a new max-wait window, as upstream's
      this.timer = undefined;
      if (!this.config.asyncDelegate && !this.throttle) {
        // one after the other: every full batch queued now is handed over in order and waited
        // for together (the log joins them into one write; one write per event would cost a
        // thread-pool round trip each)
        const n = this.flushPartial
          ? this.queue.length
          : Math.floor(this.queue.length / maxBatchSize) * maxBatchSize;
        const all = this.queue.splice(0, n);
        const sends: (boolean | Promise<boolean>)[] = [];
        for (let i = 0; i < all.length; i += maxBatchSize)
          sends.push(this.delegate.process(all.slice(i, i + maxBatchSize)));
        await Promise.all(sends);
        continue;
      }
      const batch = this.queue.splice(0, maxBatchSize);
      const wait = this.stopped ? 0 : (this.throttle?.take() ?? 0);
      if (wait > 0) await this.pause(wait);
      const sent = Promise.resolve(this.delegate.process(batch));
      if (this.config.asyncDelegate) {
        this.inFlight.add(sent);
        void sent.finally(() => this.inFlight.delete(sent));
      } else await sent;
    }
    this.flushPartial = this.stopped;
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleep = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleep = { timer, wake };
    });
  }

  private wake(): void {
    this.sleep?.wake();
  }
}

/** A backend that waits for its writes but never fails the request (upstream's ignoreErrorsBackend). */
class IgnoreErrors implements AuditBackend {
  constructor(private readonly delegate: AuditBackend) {}
  get name(): string {
    return this.delegate.name;
  }
  process(events: AuditEvent[]): boolean | Promise<boolean> {
    const r = this.delegate.process(events);
    return typeof r === 'boolean' ? true : r.then(() => true);
  }
  shutdown(): Promise<void> {
    return this.delegate.shutdown();
  }
}

export function withMode(
  delegate: AuditBackend,
  mode: Mode,
  batch: BatchConfig,
  countError: ErrorCounter,
): AuditBackend {
  if (mode === 'blocking-strict') return delegate;
  if (mode === 'blocking') return new IgnoreErrors(delegate);
  return new BufferedBackend(delegate, batch, countError);
}
