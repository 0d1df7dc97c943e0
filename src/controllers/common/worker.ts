// The worker loop every workload controller runs: take a key from the rate-limited queue,
// reconcile it from the caches, forget its failures on success, back off on error, and come
// back after a delay when the reconciler asks for one (minReadySeconds, deadlines, cron times).
import { WorkQueue } from '../../client/workqueue.js';
import { StatusError } from '../../api/errors.js';
import type { Logger } from '../../util/log.js';

/** What a reconcile returns: a delay (ms) to look again, or nothing. */
export type Requeue = number | undefined | void;

export class KeyWorkers {
  readonly queue = new WorkQueue(5, 1000 * 60 * 16);
  private stopped = false;

  constructor(
    private readonly log: Logger,
    private readonly reconcile: (key: string) => Promise<Requeue>,
  ) {}

  start(workers: number): void {
    for (let i = 0; i < workers; i++) void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.queue.shutDown();
  }

  private async run(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined || this.stopped) return;
      try {
        const again = await this.reconcile(key);
        this.queue.forget(key);
        if (typeof again === 'number') this.queue.addAfter(key, Math.max(again, 1));
      } catch (err) {
        // conflicts are routine (a stale cache); log the rest
        if (!(err instanceof StatusError && err.code === 409))
          this.log.warn('sync failed; retrying', {
            key,
            error: err instanceof Error ? err.message : String(err),
          });
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
  }
}
