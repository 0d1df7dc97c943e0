// The storage contract (etcd semantics) against the SQLite backend.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStorage } from '../../../src/storage/sqlite/backend.js';
import {
  CompactedError,
  KeyExistsError,
  RevisionMismatchError,
  type WatchEvent,
} from '../../../src/storage/types.js';

const b = (s: string) => Buffer.from(s);
const s = (v: Uint8Array) => Buffer.from(v).toString();
const fresh = () => SqliteStorage.open(join(mkdtempSync(join(tmpdir(), 'st-')), 'state.db'));

describe('sqlite storage', () => {
  it('revisions grow by one per write; create refuses an existing key', async () => {
    const st = fresh();
    assert.equal(await st.create('/r/a', b('1')), 1);
    assert.equal(await st.create('/r/b', b('2')), 2);
    await assert.rejects(st.create('/r/a', b('x')), KeyExistsError);
    assert.equal(await st.currentRevision(), 2);
  });

  it('update is guarded by the mod revision', async () => {
    const st = fresh();
    const r1 = await st.create('/r/a', b('1'));
    const r2 = await st.update('/r/a', b('2'), r1);
    await assert.rejects(
      st.update('/r/a', b('3'), r1),
      (e: unknown) => e instanceof RevisionMismatchError && e.current.modRevision === r2,
    );
    const kv = await st.get('/r/a');
    assert.equal(s(kv!.value), '2');
    assert.equal(kv!.createRevision, r1);
  });

  it('lists by prefix in key order with limit, afterKey and at a past revision', async () => {
    const st = fresh();
    await st.create('/r/b', b('b1'));
    await st.create('/r/a', b('a1'));
    await st.create('/rx/z', b('no'));
    const r = await st.create('/r/c', b('c1'));
    await st.update('/r/a', b('a2'), 2);
    await st.delete('/r/b');
    let l = await st.list('/r/');
    assert.deepEqual(
      l.kvs.map((k) => `${k.key}=${s(k.value)}`),
      ['/r/a=a2', '/r/c=c1'],
    );
    l = await st.list('/r/', { revision: r });
    assert.deepEqual(
      l.kvs.map((k) => `${k.key}=${s(k.value)}`),
      ['/r/a=a1', '/r/b=b1', '/r/c=c1'],
    );
    l = await st.list('/r/', { revision: r, limit: 1, afterKey: '/r/a' });
    assert.deepEqual(
      l.kvs.map((k) => k.key),
      ['/r/b'],
    );
    assert.equal(l.more, true);
  });

  it('watch replays history after a revision, then live writes, without gaps', async () => {
    const st = fresh();
    await st.create('/r/a', b('1'));
    await st.create('/r/b', b('1'));
    const seen: string[] = [];
    const w = st.watch('/r/', 1, {
      onEvents: (evs: WatchEvent[]) =>
        evs.forEach((e) => seen.push(`${e.type} ${e.kv.key} ${e.kv.modRevision}`)),
      onError: () => undefined,
    });
    await st.update('/r/a', b('2'), 1);
    await st.delete('/r/b');
    await new Promise((r) => setImmediate(r));
    w.dispose();
    assert.deepEqual(seen, ['put /r/b 2', 'put /r/a 3', 'delete /r/b 4']);
  });

  it('compaction: older revisions are gone, newer ones still right', async () => {
    const st = fresh();
    await st.create('/r/a', b('1'));
    await st.update('/r/a', b('2'), 1);
    await st.create('/r/b', b('1'));
    await st.update('/r/a', b('3'), 2);
    await st.compact(3);
    await assert.rejects(st.list('/r/', { revision: 2 }), CompactedError);
    const l = await st.list('/r/', { revision: 3 });
    assert.deepEqual(
      l.kvs.map((k) => `${k.key}=${s(k.value)}`),
      ['/r/a=2', '/r/b=1'],
    );
    const err = await new Promise<Error>((resolve) =>
      st.watch('/r/', 1, { onEvents: () => undefined, onError: resolve }),
    );
    assert.ok(err instanceof CompactedError);
  });

  it('keeps data and the revision across a restart, even when the last write was a delete', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'st-'));
    const st = SqliteStorage.open(join(dir, 'state.db'));
    await st.create('/r/a', b('1'));
    await st.create('/r/b', b('1'));
    await st.delete('/r/b');
    await st.close();
    const again = SqliteStorage.open(join(dir, 'state.db'));
    assert.equal(await again.currentRevision(), 3);
    assert.equal(s((await again.get('/r/a'))!.value), '1');
    assert.equal(await again.create('/r/c', b('1')), 4);
  });
});
