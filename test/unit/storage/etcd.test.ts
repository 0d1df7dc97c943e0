// The etcd backend against a real etcd: the shared storage contract, and what only etcd has.
// Skipped where Debian's etcd-server is not installed (.ci/run installs it).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EtcdStorage } from '../../../src/storage/etcd/backend.js';
import { CompactedError, ValueTooLargeError, type Storage } from '../../../src/storage/types.js';
import { storageContract } from './contract.js';
import { etcdAvailable, startEtcd, type EtcdProcess } from './etcd-fixture.js';

if (!etcdAvailable()) {
  describe('etcd storage', () => {
    it('needs /usr/bin/etcd (apt-get install etcd-server)', { skip: true }, () => undefined);
  });
} else {
  let etcd: EtcdProcess;
  const open: EtcdStorage[] = [];
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    for (const st of open) await st.close().catch(() => undefined);
    await etcd.stop();
  });
  const connect = () => {
    const st = new EtcdStorage({ endpoints: [etcd.endpoint] });
    open.push(st);
    return st;
  };

  /** One etcd for the file: each test starts from an empty key space (revisions go on). */
  async function fresh(): Promise<Storage> {
    const st = connect();
    const all = await st.list('/');
    for (const kv of all.kvs) await st.delete(kv.key);
    return st;
  }

  storageContract('etcd', fresh, {
    startsEmpty: false,
    reopen: async (st) => {
      await st.close();
      return connect();
    },
  });

  describe('etcd storage', () => {
    it('learns of a compaction made by another client', async () => {
      const a = await fresh();
      const b = connect();
      const r = await a.create('/r/x', Buffer.from('1'));
      await a.update('/r/x', Buffer.from('2'), r);
      await b.compact(r + 1);
      await assert.rejects(
        a.list('/r/', { revision: r }),
        (e: unknown) => e instanceof CompactedError && e.requested === r && e.compacted === r + 1,
      );
      assert.equal(await a.compactedRevision(), r + 1);
    });

    it('answers a progress request on a watch that saw none of the writes', async () => {
      const st = (await fresh()) as EtcdStorage;
      const seen: number[] = [];
      const w = st.watch('/quiet/', await st.currentRevision(), {
        onEvents: () => assert.fail('no events under /quiet/'),
        onError: (e) => assert.fail(e),
        onProgress: (r) => seen.push(r),
      });
      await new Promise((r) => setTimeout(r, 200));
      const last = await st.create('/loud/x', Buffer.from('1'));
      const end = Date.now() + 5000;
      while (!seen.includes(last) && Date.now() < end) {
        st.requestProgress();
        await new Promise((r) => setTimeout(r, 50));
      }
      w.dispose();
      assert.ok(seen.includes(last), `progress reached ${last}: saw ${seen.join(',')}`);
    });

    it('reports a value over etcd request limit as too large, and stores nothing', async () => {
      const st = await fresh();
      const before = await st.currentRevision();
      await assert.rejects(st.create('/r/big', Buffer.alloc(2 * 1024 * 1024, 120)), ValueTooLargeError);
      assert.equal(await st.get('/r/big'), undefined);
      assert.equal(await st.currentRevision(), before);
    });
  });
}
