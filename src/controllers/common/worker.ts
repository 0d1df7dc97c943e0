// The worker loop every workload controller runs (the shared one in client/reconcile-workers.ts)
// with the queue it owns: reconcile from the caches, back off on error, come back after a delay
// when the reconciler asks for one (minReadySeconds, deadlines, cron times).
import { WorkQueue } from '../../client/workqueue.js';
import { runWorkers, type ReconcileResult } from '../../client/reconcile-workers.js';
import type { Logger } from '../../util/log.js';

/** What a reconcile returns: a delay (ms) to look again, or nothing. */
export type Requeue = ReconcileResult;

export class KeyWorkers {
  readonly queue = new WorkQueue(5, 1000 * 60 * 16);

  constructor(
    private readonly log: Logger,
    private readonly reconcile: (key: string) => Promise<Requeue>,
  ) {}

  start(workers: number): void {
    runWorkers(this.queue, workers, this.reconcile, this.log);
  }

  stop(): void {
    this.queue.shutDown();
  }
}
