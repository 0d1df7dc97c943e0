// Helpers for the watch cache tests: a store, a cache over /registry/things/, small objects.
import { SqliteStorage } from '../../../src/storage/sqlite/backend.js';
import { WatchCache, type WatchCacheOptions } from '../../../src/storage/cacher.js';
import type { CacheEvent } from '../../../src/storage/cacher-types.js';
import type { KV } from '../../../src/storage/types.js';
import type { KubeObject } from '../../../src/api/types.js';

export const PREFIX = '/registry/things/';

export const decode = (kv: KV): KubeObject => {
  const o = JSON.parse(Buffer.from(kv.value).toString()) as KubeObject;
  o.metadata.resourceVersion = String(kv.modRevision);
  return o;
};

export const thing = (name: string, labels: Record<string, string> = {}) =>
  Buffer.from(JSON.stringify({ metadata: { name, labels } }));

export const key = (name: string, ns = 'ns') => `${PREFIX}${ns}/${name}`;

/** Lets queued storage deliveries run. */
export const settle = () => new Promise((r) => setImmediate(r));

export async function setup(
  opts: Partial<WatchCacheOptions> = {},
  before?: (st: SqliteStorage) => Promise<void>,
) {
  const st = SqliteStorage.open(':memory:');
  if (before) await before(st);
  const cache = new WatchCache(st, PREFIX, { decode, ...opts });
  await cache.start();
  return { st, cache };
}

export const names = (items: { obj: KubeObject }[]) => items.map((i) => i.obj.metadata.name);

export const describeEvent = (e: CacheEvent) =>
  `${e.type} ${e.object.obj.metadata.name} ${e.object.obj.metadata.resourceVersion}`;
