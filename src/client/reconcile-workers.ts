// The worker loop every level-based controller runs (client-go's processNextWorkItem): take a
// key, reconcile it, forget its failures on success, back off on error, and requeue after the
// delay the reconciler asks for. Stops when the queue shuts down.
import { StatusError } from '../api/errors.js';
import type { Logger } from '../util/log.js';
import type { WorkQueue } from './workqueue.js';

/** What a reconcile answers: nothing (done), or milliseconds until it wants to look again. */
export type ReconcileResult = number | undefined | void;

export function runWorkers(
  queue: WorkQueue,
  workers: number,
  reconcile: (key: string) => Promise<ReconcileResult>,
  log: Logger,
): void {
  const loop = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        const again = await reconcile(key);
        queue.forget(key);
        if (typeof again === 'number') queue.addAfter(key, Math.max(again, 1));
      } catch (err) {
        // a conflict is the normal outcome of a stale cache: retry soon, quietly
        if (!(err instanceof StatusError && err.code === 409))
          log.warn('sync failed; retrying', { key, error: String(err) });
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  for (let i = 0; i < workers; i++) void loop();
}

export function isStatus(err: unknown, code: number): boolean {
  return err instanceof StatusError && err.code === code;
}

/** True when a create failed because its namespace is being deleted (or is gone). */
export function namespaceGoneOrTerminating(err: unknown): boolean {
  if (!(err instanceof StatusError)) return false;
  if (err.code === 404) return true;
  return !!err.details?.causes?.some((c) => c.reason === 'NamespaceTerminating');
}
