// Copies every key of one datastore into another (k3s's SQLite -> etcd conversion on the first
// `--cluster-init` start). Values are copied byte for byte (encrypted ones stay encrypted);
// revisions are the target's own, so resourceVersions change and clients relist, as after
// any datastore restore.
import type { Storage } from './types.js';

export async function copyAll(from: Storage, to: Storage, prefix = '/registry/'): Promise<number> {
  const revision = await from.currentRevision();
  let afterKey: string | undefined;
  let copied = 0;
  for (;;) {
    const page = await from.list(prefix, { limit: 500, afterKey, revision });
    for (const kv of page.kvs) {
      await to.create(kv.key, kv.value);
      copied++;
    }
    if (page.kvs.length < 500) return copied;
    afterKey = page.kvs[page.kvs.length - 1]!.key;
  }
}
