// The watch cache's watches: starting points, the window, filtering, bookmarks, fan-out.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../../src/api/errors.js';
import type { CacheEvent, CacheWatchHandler } from '../../../src/storage/cacher-types.js';
import type { KubeObject } from '../../../src/api/types.js';
import { WatchCache } from '../../../src/storage/cacher.js';
import { SqliteStorage } from '../../../src/storage/sqlite/backend.js';
import { CompactedError } from '../../../src/storage/types.js';
import { decode, describeEvent, key, PREFIX, settle, setup, thing } from './cache-fixture.js';

function collect(cache: WatchCache, from: number, sel: Parameters<WatchCache['watch']>[1] = {}) {
  const seen: string[] = [];
  const events: CacheEvent[] = [];
  const bookmarks: number[] = [];
  const errors: Error[] = [];
  const handler: CacheWatchHandler = {
    onEvent: (e) => {
      events.push(e);
      seen.push(describeEvent(e));
    },
    onBookmark: (rev) => bookmarks.push(rev),
    onError: (err) => errors.push(err),
  };
  const w = cache.watch(from, sel, handler);
  return { seen, events, bookmarks, errors, w };
}

const web = (o: KubeObject) => o.metadata.labels?.tier === 'web';

describe('watch cache watches', () => {
  it('from 0: the current objects as ADDED (in key order), then live changes', async () => {
    const { st, cache } = await setup({}, async (s) => {
      await s.create(key('b'), thing('b'));
      await s.create(key('a'), thing('a'));
    });
    const c = collect(cache, 0);
    assert.deepEqual(c.seen, ['ADDED a 2', 'ADDED b 1']);
    await st.update(key('a'), thing('a'), 2);
    await settle();
    assert.deepEqual(c.seen.slice(2), ['MODIFIED a 3']);
  });

  it('from a revision in the window: the events after it, then live, with no repeats', async () => {
    const { st, cache } = await setup();
    for (const n of ['a', 'b', 'c']) await st.create(key(n), thing(n));
    await settle();
    const c = collect(cache, 1);
    assert.deepEqual(c.seen, ['ADDED b 2', 'ADDED c 3']);
    await st.delete(key('a'));
    await settle();
    assert.deepEqual(c.seen.slice(2), ['DELETED a 4']);
  });

  it('from a revision the cache has not reached: nothing up to it is sent', async () => {
    const { st, cache } = await setup();
    const c = collect(cache, 2);
    for (const n of ['a', 'b', 'c']) await st.create(key(n), thing(n));
    await settle();
    assert.deepEqual(c.seen, ['ADDED c 3']);
  });

  it('a revision older than the window is 410 "too old resource version"', async () => {
    const { st, cache } = await setup({ windowSize: 3 }, async (s) => {
      for (let i = 0; i < 5; i++) await s.create(key(`x${i}`), thing(`x${i}`));
    });
    // nothing pushed out yet: the oldest resumable revision is the initial list's
    const early = collect(cache, 3);
    await settle();
    assert.equal(early.errors[0]?.message, 'too old resource version: 3 (5)');
    for (let i = 5; i < 10; i++) await st.create(key(`x${i}`), thing(`x${i}`));
    await settle();
    // the window holds revisions 8..10: upstream names the one before the oldest kept
    const ok = collect(cache, 7);
    assert.deepEqual(ok.seen, ['ADDED x7 8', 'ADDED x8 9', 'ADDED x9 10']);
    const late = collect(cache, 6);
    await settle();
    const err = late.errors[0];
    assert.ok(err instanceof StatusError);
    assert.equal(err.code, 410);
    assert.equal(err.reason, 'Expired');
    assert.equal(err.message, 'too old resource version: 6 (7)');
    assert.deepEqual(late.seen, []);
  });

  it('filtering: leaving the selection is DELETED, entering it ADDED, outside changes unseen', async () => {
    const { st, cache } = await setup();
    const c = collect(cache, 0, { matches: web });
    const r1 = await st.create(key('a'), thing('a', { tier: 'db' }));
    const r2 = await st.update(key('a'), thing('a', { tier: 'web' }), r1);
    const r3 = await st.update(key('a'), thing('a', { tier: 'web', x: '1' }), r2);
    const r4 = await st.update(key('a'), thing('a', { tier: 'db' }), r3);
    const r5 = await st.update(key('a'), thing('a', { tier: 'db', x: '2' }), r4);
    await st.delete(key('a'), r5);
    await settle();
    assert.deepEqual(c.seen, ['ADDED a 2', 'MODIFIED a 3', 'DELETED a 4']);
    // the DELETED for leaving carries the new state (upstream's cacher)
    assert.equal(c.events[2].object.obj.metadata.labels?.tier, 'db');
  });

  it('a key prefix selection sees only its namespace', async () => {
    const { st, cache } = await setup();
    const c = collect(cache, 0, { keyPrefix: `${PREFIX}ns1/` });
    await st.create(key('a', 'ns1'), thing('a'));
    await st.create(key('b', 'ns2'), thing('b'));
    await settle();
    assert.deepEqual(c.seen, ['ADDED a 1']);
  });

  it('DELETED carries the last state with the delete revision as resourceVersion', async () => {
    const { st, cache } = await setup();
    const c = collect(cache, 0);
    await st.create(key('a'), thing('a', { last: 'state' }));
    await st.delete(key('a'));
    await settle();
    const del = c.events[1];
    assert.equal(del.type, 'DELETED');
    assert.equal(del.revision, 2);
    assert.equal(del.object.obj.metadata.resourceVersion, '2');
    assert.equal(del.object.obj.metadata.labels?.last, 'state');
    assert.equal(del.prev?.modRevision, 1);
    assert.equal(cache.get(key('a')), undefined);
  });

  it('sends bookmarks with the current revision on the interval', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const { st, cache } = await setup({ bookmarkIntervalMs: 1000 });
    const c = collect(cache, 0);
    await st.create(key('a'), thing('a'));
    await st.create('/registry/others/x', thing('x'));
    await settle();
    t.mock.timers.tick(1000);
    assert.deepEqual(c.bookmarks, [2]);
    cache.dispose();
  });

  it('one write reaches 500 watchers, sharing one decoded object and its JSON', async () => {
    const { st, cache } = await setup();
    const got: CacheEvent[] = [];
    for (let i = 0; i < 500; i++)
      cache.watch(0, {}, { onEvent: (e) => got.push(e), onError: () => undefined });
    await st.create(key('a'), thing('a'));
    await settle();
    assert.equal(got.length, 500);
    assert.ok(got.every((e) => e.object === got[0].object));
    assert.equal(got[0].object.json(), got[499].object.json());
  });

  it('dispose ends every watcher: no further calls, and new watches get nothing', async () => {
    const { st, cache } = await setup();
    const c = collect(cache, 0);
    cache.dispose();
    await st.create(key('a'), thing('a'));
    await settle();
    const after = collect(cache, 0);
    await settle();
    assert.deepEqual(c.seen, []);
    assert.deepEqual(after.seen, []);
    assert.deepEqual(c.errors, []);
  });
});

describe('watch cache recovery', () => {
  it('when its storage watch breaks, watchers end with 410 and the cache loads afresh', async () => {
    const st = SqliteStorage.open(':memory:');
    await st.create(key('a'), thing('a'));
    // the first storage watch fails as if compaction had overtaken it
    let failNext = true;
    const realWatch = st.watch.bind(st);
    st.watch = (prefix, after, handler) => {
      if (!failNext) return realWatch(prefix, after, handler);
      failNext = false;
      const w = realWatch(prefix, after, handler);
      setImmediate(() => handler.onError(new CompactedError(after, after + 1)));
      return w;
    };
    const cache = new WatchCache(st, PREFIX, { decode });
    await cache.start();
    const c = collect(cache, 0);
    await settle();
    await settle();
    assert.equal(c.errors[0]?.message, 'The resourceVersion for the provided watch is too old.');
    await st.create(key('b'), thing('b'));
    const l = await cache.list({ resourceVersion: '' });
    assert.deepEqual(
      l.items.map((i) => i.obj.metadata.name),
      ['a', 'b'],
    );
    cache.dispose();
  });
});
