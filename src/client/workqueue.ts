// A rate-limited work queue (client-go's workqueue): a key is never processed by two workers at
// once, repeated adds coalesce (the `dirty` set), and failures come back with exponential backoff.
export class WorkQueue {
  /** keys waiting to be processed, in order */
  private readonly queue: string[] = [];
  /** keys that need processing (queued, or re-added while processing) */
  private readonly dirty = new Set<string>();
  /** keys being processed now */
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  /** one timer per waiting key, as client-go's delaying queue: the earliest ready time wins */
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; at: number }>();
  private waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;

  constructor(
    private readonly baseDelayMs = 5,
    private readonly maxDelayMs = 60_000,
    /** bound on distinct waiting keys; beyond it adds are dropped and picked up by resync */
    private readonly maxLength = 100_000,
  ) {}

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    if (this.dirty.size >= this.maxLength) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    const w = this.waiters.shift();
    if (w) {
      this.dirty.delete(key);
      this.processing.add(key);
      w(key);
    } else this.queue.push(key);
  }

  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    const at = Date.now() + ms;
    const waiting = this.timers.get(key);
    if (waiting) {
      if (waiting.at <= at) return;
      clearTimeout(waiting.timer);
    }
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    this.timers.set(key, { timer, at });
  }

  addRateLimited(key: string): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.addAfter(key, Math.min(this.baseDelayMs * 2 ** n, this.maxDelayMs));
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Next key, or undefined once shut down. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  get length(): number {
    return this.queue.length;
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    for (const w of this.waiters.splice(0)) w(undefined);
  }
}
