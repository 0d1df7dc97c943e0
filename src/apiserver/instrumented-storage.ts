// Storage with latency metrics (etcd_request_duration_seconds{operation,type}), as upstream
// reports its etcd calls. A decorator, so backends stay free of metrics code.
import type { Disposable, KV, ListOptions, ListResult, Storage, WatchHandler } from '../storage/types.js';
import type { Metrics } from './metrics.js';

function typeOf(key: string): string {
  return key.split('/')[2] ?? '';
}

export function instrument(inner: Storage, metrics: Metrics): Storage {
  const timed = async <T>(operation: string, key: string, run: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await run();
    } finally {
      metrics.storageDuration.observe({ operation, type: typeOf(key) }, (performance.now() - t0) / 1000);
    }
  };
  const wrapped: Storage = {
    get: (key: string): Promise<KV | undefined> => timed('get', key, () => inner.get(key)),
    list: (prefix: string, opts?: ListOptions): Promise<ListResult> =>
      timed('list', prefix, () => inner.list(prefix, opts)),
    count: (prefix: string) => timed('count', prefix, () => inner.count(prefix)),
    create: (key: string, value: Uint8Array) => timed('create', key, () => inner.create(key, value)),
    update: (key: string, value: Uint8Array, rev: number) =>
      timed('update', key, () => inner.update(key, value, rev)),
    delete: (key: string, rev?: number) => timed('delete', key, () => inner.delete(key, rev)),
    watch: (prefix: string, after: number, h: WatchHandler): Disposable => inner.watch(prefix, after, h),
    currentRevision: () => inner.currentRevision(),
    compactedRevision: () => inner.compactedRevision(),
    compact: (rev: number) => inner.compact(rev),
    close: () => inner.close(),
    requestProgress: inner.requestProgress ? () => inner.requestProgress!() : undefined,
  };
  // keep backend extras (e.g. sqlite's startMaintenance) reachable
  return Object.assign(Object.create(inner) as Storage, wrapped);
}
