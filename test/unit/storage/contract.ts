// The storage contract (etcd's semantics) as one suite that every backend runs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CompactedError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionMismatchError,
  type KV,
  type Storage,
  type WatchEvent,
} from '../../../src/storage/types.js';

export interface ContractOptions {
  /** false for backends whose fresh store already has a revision (etcd starts at 1). */
  startsEmpty?: boolean;
  /** Closes the store and opens it again on the same data (for backends that persist). */
  reopen?: (st: Storage) => Promise<Storage>;
}

const b = (s: string) => Buffer.from(s);
const text = (v: Uint8Array) => Buffer.from(v).toString();
const pairs = (kvs: KV[]) => kvs.map((k) => `${k.key}=${text(k.value)}`);
/**
 * Lets delivery happen: one turn of the event loop for in-process backends; for a watch over
 * the network, until it has seen `count` events or an error (with a deadline).
 */
async function settle(rec?: { events: unknown[]; errors: unknown[] }, count = 0): Promise<void> {
  await new Promise((r) => setImmediate(r));
  const end = Date.now() + 5000;
  while (rec && rec.events.length < count && rec.errors.length === 0 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Collects a watch's events as "type key rev value" lines. */
function record(st: Storage, prefix: string, after: number) {
  const lines: string[] = [];
  const events: WatchEvent[] = [];
  const errors: Error[] = [];
  const w = st.watch(prefix, after, {
    onEvents: (evs) => {
      for (const e of evs) {
        events.push(e);
        lines.push(`${e.type} ${e.kv.key} ${e.kv.modRevision} ${text(e.kv.value)}`);
      }
    },
    onError: (err) => errors.push(err),
  });
  return { lines, events, errors, w };
}

export function storageContract(
  name: string,
  make: () => Promise<Storage>,
  opts: ContractOptions = {},
): void {
  describe(`storage contract: ${name}`, () => {
    it('starts at revision 0 and every write adds one', async () => {
      const st = await make();
      const z = await st.currentRevision();
      if (opts.startsEmpty !== false) assert.equal(z, 0);
      assert.equal(await st.create('/r/a', b('1')), z + 1);
      assert.equal(await st.update('/r/a', b('2'), z + 1), z + 2);
      assert.equal((await st.delete('/r/a')).modRevision, z + 3);
      assert.equal(await st.currentRevision(), z + 3);
      await st.close();
    });

    it('create refuses an existing key and does not use a revision', async () => {
      const st = await make();
      const z = await st.currentRevision();
      await st.create('/r/a', b('1'));
      await assert.rejects(
        st.create('/r/a', b('x')),
        (e: unknown) => e instanceof KeyExistsError && e.key === '/r/a',
      );
      assert.equal(await st.currentRevision(), z + 1);
      assert.equal(text((await st.get('/r/a'))!.value), '1');
      await st.close();
    });

    it('update is guarded by the mod revision and keeps the create revision', async () => {
      const st = await make();
      const r1 = await st.create('/r/a', b('1'));
      const r2 = await st.update('/r/a', b('2'), r1);
      await assert.rejects(
        st.update('/r/a', b('3'), r1),
        (e: unknown) =>
          e instanceof RevisionMismatchError && e.current.modRevision === r2 && text(e.current.value) === '2',
      );
      await assert.rejects(st.update('/r/missing', b('3'), r1), KeyNotFoundError);
      assert.deepEqual(await st.get('/r/a'), {
        key: '/r/a',
        value: b('2'),
        createRevision: r1,
        modRevision: r2,
      });
      assert.equal(await st.currentRevision(), r2);
      await st.close();
    });

    it('delete returns the last value at the delete revision, guarded when asked', async () => {
      const st = await make();
      const r1 = await st.create('/r/a', b('1'));
      await assert.rejects(st.delete('/r/a', r1 + 5), RevisionMismatchError);
      await assert.rejects(st.delete('/r/missing'), KeyNotFoundError);
      const gone = await st.delete('/r/a', r1);
      assert.deepEqual(gone, { key: '/r/a', value: b('1'), createRevision: r1, modRevision: r1 + 1 });
      assert.equal(await st.get('/r/a'), undefined);
      assert.equal(await st.create('/r/a', b('again')), r1 + 2);
      assert.equal((await st.get('/r/a'))!.createRevision, r1 + 2);
      await st.close();
    });

    it('lists a prefix in key order with limit, afterKey, more and remaining', async () => {
      const st = await make();
      const z = await st.currentRevision();
      for (const k of ['/r/c', '/r/a', '/rx/z', '/r', '/r/b', '/q/a', '/r/d']) await st.create(k, b(k));
      const all = await st.list('/r/');
      assert.deepEqual(
        all.kvs.map((k) => k.key),
        ['/r/a', '/r/b', '/r/c', '/r/d'],
      );
      assert.equal(all.revision, z + 7);
      assert.equal(all.more, false);
      const page1 = await st.list('/r/', { limit: 3 });
      assert.deepEqual(
        page1.kvs.map((k) => k.key),
        ['/r/a', '/r/b', '/r/c'],
      );
      assert.equal(page1.more, true);
      assert.equal(page1.remaining, 1);
      const page2 = await st.list('/r/', { limit: 3, afterKey: '/r/c' });
      assert.deepEqual(
        page2.kvs.map((k) => k.key),
        ['/r/d'],
      );
      assert.equal(page2.more, false);
      assert.equal(await st.count('/r/'), 4);
      assert.equal(await st.count('/nothing/'), 0);
      await st.close();
    });

    it('lists at a past revision as it was, after updates, deletes and re-creates', async () => {
      const st = await make();
      const z = await st.currentRevision();
      await st.create('/r/b', b('b1')); // 1
      await st.create('/r/a', b('a1')); // 2
      await st.create('/r/c', b('c1')); // 3
      await st.update('/r/a', b('a2'), z + 2); // 4
      await st.delete('/r/b'); // 5
      await st.create('/r/b', b('b2')); // 6
      await st.delete('/r/c'); // 7
      assert.deepEqual(pairs((await st.list('/r/')).kvs), ['/r/a=a2', '/r/b=b2']);
      const at3 = await st.list('/r/', { revision: z + 3 });
      assert.equal(at3.revision, z + 3);
      assert.deepEqual(pairs(at3.kvs), ['/r/a=a1', '/r/b=b1', '/r/c=c1']);
      assert.deepEqual(pairs((await st.list('/r/', { revision: z + 5 })).kvs), ['/r/a=a2', '/r/c=c1']);
      const at6 = await st.list('/r/', { revision: z + 6 });
      assert.deepEqual(
        at6.kvs.map((k) => [k.key, k.createRevision - z, k.modRevision - z]),
        [
          ['/r/a', 2, 4],
          ['/r/b', 6, 6],
          ['/r/c', 3, 3],
        ],
      );
      const paged = await st.list('/r/', { revision: z + 3, limit: 1, afterKey: '/r/a' });
      assert.deepEqual(pairs(paged.kvs), ['/r/b=b1']);
      assert.equal(paged.more, true);
      assert.equal(paged.remaining, 1);
      await st.close();
    });

    it('watch replays history after a revision, then live writes, without gaps or repeats', async () => {
      const st = await make();
      const z = await st.currentRevision();
      await st.create('/r/a', b('1')); // 1
      await st.create('/r/b', b('1')); // 2
      await st.create('/other/x', b('1')); // 3
      const rec = record(st, '/r/', z + 1);
      // writes issued before the replay was delivered
      await st.update('/r/a', b('2'), z + 1); // 4
      await st.delete('/r/b'); // 5
      await settle(rec, 3);
      await st.create('/r/c', b('1')); // 6
      await settle(rec, 4);
      assert.deepEqual(rec.lines, [
        `put /r/b ${z + 2} 1`,
        `put /r/a ${z + 4} 2`,
        `delete /r/b ${z + 5} 1`,
        `put /r/c ${z + 6} 1`,
      ]);
      const [created, updated, deleted] = rec.events;
      assert.equal(created.created, true);
      assert.equal(created.prevKv, undefined);
      assert.equal(updated.created, false);
      assert.deepEqual(updated.prevKv, {
        key: '/r/a',
        value: b('1'),
        createRevision: z + 1,
        modRevision: z + 1,
      });
      assert.equal(deleted.type, 'delete');
      assert.equal(deleted.prevKv!.modRevision, z + 2);
      rec.w.dispose();
      await st.create('/r/d', b('1'));
      await settle();
      assert.equal(rec.lines.length, 4, 'no events after dispose');
      await st.close();
    });

    it('watchers of different prefixes each see only their keys, in revision order', async () => {
      const st = await make();
      const z = await st.currentRevision();
      const r = record(st, '/r/', z);
      const o = record(st, '/o/', z);
      for (let i = 0; i < 20; i++) await st.create(i % 2 ? `/r/${i}` : `/o/${i}`, b(String(i)));
      await settle(r, 10);
      await settle(o, 10);
      assert.equal(r.events.length, 10);
      assert.equal(o.events.length, 10);
      const revs = r.events.map((e) => e.kv.modRevision);
      assert.deepEqual(
        revs,
        [...revs].sort((x, y) => x - y),
      );
      await st.close();
    });

    it('compaction: revisions before it are gone, reads at and after it still right', async () => {
      const st = await make();
      const z = await st.currentRevision();
      await st.create('/r/a', b('1')); // 1
      await st.update('/r/a', b('2'), z + 1); // 2
      await st.create('/r/b', b('1')); // 3
      await st.update('/r/a', b('3'), z + 2); // 4
      await st.create('/r/gone', b('1')); // 5
      await st.delete('/r/gone'); // 6
      await st.compact(z + 3);
      assert.equal(await st.compactedRevision(), z + 3);
      await assert.rejects(
        st.list('/r/', { revision: z + 2 }),
        (e: unknown) => e instanceof CompactedError && e.requested === z + 2 && e.compacted === z + 3,
      );
      assert.deepEqual(pairs((await st.list('/r/', { revision: z + 3 })).kvs), ['/r/a=2', '/r/b=1']);
      assert.deepEqual(pairs((await st.list('/r/', { revision: z + 5 })).kvs), [
        '/r/a=3',
        '/r/b=1',
        '/r/gone=1',
      ]);
      const tooOld = record(st, '/r/', z + 1);
      await settle(tooOld, 1);
      assert.ok(tooOld.errors[0] instanceof CompactedError);
      assert.deepEqual(tooOld.lines, []);
      const fromCompacted = record(st, '/r/', z + 3);
      await settle(fromCompacted, 3);
      assert.deepEqual(fromCompacted.lines, [
        `put /r/a ${z + 4} 3`,
        `put /r/gone ${z + 5} 1`,
        `delete /r/gone ${z + 6} 1`,
      ]);
      assert.equal(fromCompacted.events[0].prevKv!.modRevision, z + 2, 'previous value kept for the watch');
      await st.compact(z + 6);
      assert.deepEqual(pairs((await st.list('/r/', { revision: z + 6 })).kvs), ['/r/a=3', '/r/b=1']);
      assert.deepEqual(pairs((await st.list('/r/')).kvs), ['/r/a=3', '/r/b=1']);
      await st.close();
    });

    it('repeated compactions keep every readable revision exactly as it was', async () => {
      const st = await make();
      // a deterministic mix of writes; snapshots[rev] = the list at rev
      const snapshots = new Map<number, string[]>();
      const live = new Map<string, number>();
      let seed = 7;
      const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
      for (let i = 0; i < 300; i++) {
        const key = `/r/k${rand(12)}`;
        const mod = live.get(key);
        if (mod === undefined) live.set(key, await st.create(key, b(`v${i}`)));
        else if (rand(3) === 0) {
          await st.delete(key, mod);
          live.delete(key);
        } else live.set(key, await st.update(key, b(`v${i}`), mod));
        const rev = await st.currentRevision();
        snapshots.set(rev, pairs((await st.list('/r/')).kvs));
        if (i % 40 === 39) await st.compact(rev - rand(30));
      }
      const compacted = await st.compactedRevision();
      for (const [rev, want] of snapshots) {
        if (rev < compacted) continue;
        assert.deepEqual(pairs((await st.list('/r/', { revision: rev })).kvs), want, `list at ${rev}`);
      }
      await st.close();
    });

    if (opts.reopen) {
      const reopen = opts.reopen;
      it('keeps data and the revision across a restart, even when the last write was a delete', async () => {
        let st = await make();
        const z = await st.currentRevision();
        await st.create('/r/a', b('1'));
        await st.create('/r/b', b('1'));
        await st.delete('/r/b');
        st = await reopen(st);
        assert.equal(await st.currentRevision(), z + 3);
        assert.equal(text((await st.get('/r/a'))!.value), '1');
        assert.deepEqual(pairs((await st.list('/r/', { revision: z + 2 })).kvs), ['/r/a=1', '/r/b=1']);
        assert.equal(await st.create('/r/c', b('1')), z + 4);
        await st.close();
      });

      it('keeps the revision across a restart after compacting away a trailing delete', async () => {
        let st = await make();
        const z = await st.currentRevision();
        await st.create('/r/a', b('1'));
        await st.create('/r/b', b('1'));
        await st.delete('/r/b');
        await st.compact(z + 3);
        st = await reopen(st);
        assert.equal(await st.currentRevision(), z + 3);
        assert.equal(await st.compactedRevision(), z + 3);
        await assert.rejects(st.list('/r/', { revision: z + 2 }), CompactedError);
        assert.equal(await st.create('/r/c', b('1')), z + 4);
        await st.close();
      });
    }
  });
}
