// The watch cache's lists: resourceVersion semantics, pagination and continue tokens.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../../src/api/errors.js';
import { CONTINUE_TOO_OLD_MESSAGE } from '../../../src/storage/continue-token.js';
import { key, names, PREFIX, settle, setup, thing } from './cache-fixture.js';

const isStatus = (code: number, reason: string, message: string) => (e: unknown) =>
  e instanceof StatusError && e.code === code && e.reason === reason && e.message === message;

describe('watch cache lists', () => {
  it('resourceVersion "" is consistent: it sees a write that just returned', async () => {
    const { st, cache } = await setup();
    await st.create(key('a'), thing('a'));
    const l = await cache.list({ resourceVersion: '' });
    assert.deepEqual(names(l.items), ['a']);
    assert.equal(l.revision, 1);
    assert.equal(l.items[0].obj.metadata.resourceVersion, '1');
  });

  it('a consistent list the cache cannot catch up with in time is read from storage', async () => {
    // storage reports a revision the cache's watch never reaches (writes elsewhere, no progress
    // answer), as etcd can right after a start: upstream then reads etcd instead of failing
    const { st, cache } = await setup({}, async (s) => {
      const current = s.currentRevision.bind(s);
      s.currentRevision = async () => (await current()) + 5;
    });
    await st.create(key('a'), thing('a'));
    const l = await cache.list({ resourceVersion: '' });
    assert.deepEqual(names(l.items), ['a']);
    assert.equal(l.items[0].obj.metadata.resourceVersion, '1');
  });

  it('resourceVersion "0" answers from what the cache holds', async () => {
    const { st, cache } = await setup();
    await st.create(key('a'), thing('a'));
    await settle();
    const l = await cache.list({ resourceVersion: '0' });
    assert.deepEqual(names(l.items), ['a']);
  });

  it('a resourceVersion ahead of the cache waits for it (NotOlderThan)', async () => {
    const { st, cache } = await setup();
    const pending = cache.list({ resourceVersion: '1' });
    await st.create(key('a'), thing('a'));
    const l = await pending;
    assert.deepEqual(names(l.items), ['a']);
    assert.equal(l.revision, 1);
  });

  it('a resourceVersion that never comes is 504 after the wait', async (t) => {
    const { st, cache } = await setup();
    await st.create(key('a'), thing('a'));
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const pending = cache.list({ resourceVersion: '5' });
    await settle();
    t.mock.timers.tick(3000);
    await assert.rejects(pending, isStatus(504, 'Timeout', 'Too large resource version: 5, current: 1'));
  });

  it('Exact reads the list as it was at that revision', async () => {
    const { st, cache } = await setup();
    await st.create(key('a'), thing('a', { v: '1' }));
    await st.update(key('a'), thing('a', { v: '2' }), 1);
    await st.create(key('b'), thing('b'));
    const l = await cache.list({ resourceVersion: '1', resourceVersionMatch: 'Exact' });
    assert.equal(l.revision, 1);
    assert.deepEqual(names(l.items), ['a']);
    assert.equal(l.items[0].obj.metadata.labels?.v, '1');
    // with a limit and no match, a resourceVersion is exact too (upstream's legacy rule)
    const legacy = await cache.list({ resourceVersion: '2', limit: 10 });
    assert.equal(legacy.revision, 2);
    assert.deepEqual(names(legacy.items), ['a']);
  });

  it('Exact below the compacted revision is 410 Expired', async () => {
    const { st, cache } = await setup();
    await st.create(key('a'), thing('a'));
    await st.update(key('a'), thing('a'), 1);
    await st.compact(2);
    await assert.rejects(
      cache.list({ resourceVersion: '1', resourceVersionMatch: 'Exact' }),
      isStatus(410, 'Expired', 'The resourceVersion for the provided list is too old.'),
    );
  });

  it('pages in key order with continue tokens and remainingItemCount', async () => {
    const { st, cache } = await setup();
    for (const n of ['c', 'a', 'e', 'b', 'd']) await st.create(key(n), thing(n));
    const p1 = await cache.list({ limit: 2 });
    assert.deepEqual(names(p1.items), ['a', 'b']);
    assert.equal(p1.remainingItemCount, 3);
    assert.equal(p1.revision, 5);
    const p2 = await cache.list({ limit: 2, continueToken: p1.continueToken! });
    assert.deepEqual(names(p2.items), ['c', 'd']);
    assert.equal(p2.remainingItemCount, 1);
    const p3 = await cache.list({ limit: 2, continueToken: p2.continueToken! });
    assert.deepEqual(names(p3.items), ['e']);
    assert.equal(p3.continueToken, undefined);
    assert.equal(p3.remainingItemCount, undefined);
  });

  it('pages within a namespace, and gives no count when a selector filters', async () => {
    const { st, cache } = await setup();
    for (const ns of ['ns1', 'ns2']) {
      for (const n of ['a', 'b', 'c', 'd'])
        await st.create(key(n, ns), thing(n, { even: String(n === 'b' || n === 'd') }));
    }
    const sel = {
      keyPrefix: `${PREFIX}ns2/`,
      matches: (o: { metadata: { labels?: Record<string, string> } }) => o.metadata.labels?.even === 'true',
    };
    const p1 = await cache.list({ ...sel, limit: 1 });
    assert.deepEqual(names(p1.items), ['b']);
    assert.equal(p1.remainingItemCount, undefined);
    assert.ok(p1.continueToken);
    const start = (JSON.parse(Buffer.from(p1.continueToken, 'base64url').toString()) as { start: string })
      .start;
    assert.equal(start, 'b\u0000', 'the start key is relative to the list prefix, as upstream');
    const p2 = await cache.list({ ...sel, limit: 1, continueToken: p1.continueToken });
    assert.deepEqual(names(p2.items), ['d']);
    assert.equal(p2.items[0].key, key('d', 'ns2'));
  });

  it('a continued list keeps its snapshot after further writes (read from storage)', async () => {
    const { st, cache } = await setup();
    for (const n of ['a', 'b', 'c']) await st.create(key(n), thing(n));
    const p1 = await cache.list({ limit: 1 });
    await st.create(key('aa'), thing('aa'));
    await st.delete(key('c'));
    await st.update(key('b'), thing('b', { changed: 'yes' }), 2);
    const p2 = await cache.list({ limit: 5, continueToken: p1.continueToken! });
    assert.equal(p2.revision, p1.revision);
    assert.deepEqual(names(p2.items), ['b', 'c']);
    assert.equal(p2.items[0].obj.metadata.labels?.changed, undefined);
    assert.equal(p2.continueToken, undefined);
  });

  it('a continue token whose revision was compacted is 410 with upstream message', async () => {
    const { st, cache } = await setup();
    for (const n of ['a', 'b']) await st.create(key(n), thing(n));
    const p1 = await cache.list({ limit: 1 });
    await st.update(key('b'), thing('b'), 2);
    await st.compact(3);
    await assert.rejects(
      cache.list({ limit: 1, continueToken: p1.continueToken! }),
      isStatus(410, 'Expired', CONTINUE_TOO_OLD_MESSAGE),
    );
  });

  it('a continue token with a resourceVersion is 400', async () => {
    const { st, cache } = await setup();
    for (const n of ['a', 'b']) await st.create(key(n), thing(n));
    const p1 = await cache.list({ limit: 1 });
    await assert.rejects(
      cache.list({ limit: 1, continueToken: p1.continueToken!, resourceVersion: '2' }),
      isStatus(400, 'BadRequest', 'specifying resource version is not allowed when using continue'),
    );
  });

  it('a garbage continue token is 400', async () => {
    const { cache } = await setup();
    await assert.rejects(
      cache.list({ continueToken: 'bm9wZQ' }),
      isStatus(
        400,
        'BadRequest',
        'invalid continue token: continue key is not valid: the token is not valid JSON',
      ),
    );
  });
});
