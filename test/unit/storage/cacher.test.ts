// The watch cache: resourceVersion semantics, pagination, filtered watches.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStorage } from '../../../src/storage/sqlite/backend.js';
import { WatchCache } from '../../../src/storage/cacher.js';
import type { CacheEvent } from '../../../src/storage/cacher-types.js';
import type { KV } from '../../../src/storage/types.js';
import type { KubeObject } from '../../../src/api/types.js';
import { StatusError } from '../../../src/api/errors.js';

const decode = (kv: KV): KubeObject => {
  const o = JSON.parse(Buffer.from(kv.value).toString()) as KubeObject;
  o.metadata.resourceVersion = String(kv.modRevision);
  return o;
};
const obj = (name: string, labels: Record<string, string> = {}) =>
  Buffer.from(JSON.stringify({ metadata: { name, labels } }));
const tick = () => new Promise((r) => setImmediate(r));

async function setup() {
  const st = SqliteStorage.open(':memory:');
  const cache = new WatchCache(st, '/registry/things/', { decode });
  await cache.start();
  return { st, cache };
}

describe('watch cache', () => {
  it('a consistent list sees a write that just returned', async () => {
    const { st, cache } = await setup();
    await st.create('/registry/things/ns/a', obj('a'));
    const l = await cache.list({ resourceVersion: '' });
    assert.deepEqual(
      l.items.map((i) => i.obj.metadata.name),
      ['a'],
    );
    assert.equal(l.revision, 1);
  });

  it('paginates with continue tokens, in key order', async () => {
    const { st, cache } = await setup();
    for (const n of ['c', 'a', 'b', 'd']) await st.create(`/registry/things/ns/${n}`, obj(n));
    const p1 = await cache.list({ resourceVersion: '', limit: 3 });
    assert.deepEqual(
      p1.items.map((i) => i.obj.metadata.name),
      ['a', 'b', 'c'],
    );
    assert.equal(p1.remainingItemCount, 1);
    const p2 = await cache.list({ limit: 3, continueToken: p1.continueToken! });
    assert.deepEqual(
      p2.items.map((i) => i.obj.metadata.name),
      ['d'],
    );
    assert.equal(p2.continueToken, undefined);
  });

  it('a continued list keeps its snapshot after further writes', async () => {
    const { st, cache } = await setup();
    for (const n of ['a', 'b']) await st.create(`/registry/things/ns/${n}`, obj(n));
    const p1 = await cache.list({ resourceVersion: '', limit: 1 });
    await st.create('/registry/things/ns/aa', obj('aa'));
    await tick();
    const p2 = await cache.list({ limit: 5, continueToken: p1.continueToken! });
    assert.deepEqual(
      p2.items.map((i) => i.obj.metadata.name),
      ['b'],
    );
    assert.equal(p2.revision, p1.revision);
  });

  it('a garbage continue token is 400', async () => {
    const { cache } = await setup();
    await assert.rejects(
      cache.list({ continueToken: 'bm9wZQ' }),
      (e: unknown) => e instanceof StatusError && e.code === 400,
    );
  });

  it('filtered watches turn leaving into DELETED and entering into ADDED', async () => {
    const { st, cache } = await setup();
    const seen: string[] = [];
    cache.watch(
      0,
      { matches: (o) => o.metadata.labels?.tier === 'web' },
      {
        onEvent: (e: CacheEvent) => seen.push(`${e.type} ${e.object.obj.metadata.name}`),
        onError: () => undefined,
      },
    );
    const r1 = await st.create('/registry/things/ns/a', obj('a', { tier: 'db' }));
    const r2 = await st.update('/registry/things/ns/a', obj('a', { tier: 'web' }), r1);
    const r3 = await st.update('/registry/things/ns/a', obj('a', { tier: 'db' }), r2);
    await st.delete('/registry/things/ns/a', r3);
    await tick();
    assert.deepEqual(seen, ['ADDED a', 'DELETED a']);
  });

  it('resumes from a revision in the window and refuses one before it', async () => {
    const st = SqliteStorage.open(':memory:');
    for (let i = 0; i < 5; i++) await st.create(`/registry/things/ns/x${i}`, obj(`x${i}`));
    const cache = new WatchCache(st, '/registry/things/', { decode, windowSize: 3 });
    await cache.start();
    for (let i = 5; i < 10; i++) await st.create(`/registry/things/ns/x${i}`, obj(`x${i}`));
    await tick();
    const seen: number[] = [];
    cache.watch(8, {}, { onEvent: (e) => seen.push(e.revision), onError: () => undefined });
    assert.deepEqual(seen, [9, 10]);
    const err = await new Promise<Error>((resolve) =>
      cache.watch(2, {}, { onEvent: () => undefined, onError: resolve }),
    );
    assert.ok(err instanceof StatusError);
    assert.equal(err.code, 410);
    assert.equal(err.message, 'too old resource version: 2 (8)');
  });

  it('fans one write out to 500 watchers', async () => {
    const { st, cache } = await setup();
    let got = 0;
    for (let i = 0; i < 500; i++) cache.watch(0, {}, { onEvent: () => got++, onError: () => undefined });
    await st.create('/registry/things/ns/a', obj('a'));
    await tick();
    assert.equal(got, 500);
  });
});
