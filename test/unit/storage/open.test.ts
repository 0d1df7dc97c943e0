// Choosing the datastore from --datastore-endpoint.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '../../../src/storage/open.js';
import { EtcdStorage } from '../../../src/storage/etcd/backend.js';

const dir = () => mkdtempSync(join(tmpdir(), 'k8ts-open-'));

describe('openStorage', () => {
  for (const endpoint of [undefined, '', 'sqlite']) {
    it(`${JSON.stringify(endpoint)} opens <data-dir>/server/db/state.db`, async () => {
      const dataDir = dir();
      const st = openStorage(endpoint, dataDir);
      await st.create('/r/a', Buffer.from('1'));
      await st.close();
      assert.ok(existsSync(join(dataDir, 'server', 'db', 'state.db')));
    });
  }

  it('sqlite:///abs/path opens that file', async () => {
    const file = join(dir(), 'custom', 'my.db');
    const st = openStorage(`sqlite://${file}`, dir());
    await st.create('/r/a', Buffer.from('1'));
    await st.close();
    assert.ok(existsSync(file));
  });

  it('http(s) endpoints, one or a comma-separated list, open etcd', async () => {
    for (const endpoint of ['https://127.0.0.1:2379', 'http://etcd:2379,http://etcd2:2379/']) {
      const st = openStorage(endpoint, dir());
      assert.ok(st instanceof EtcdStorage);
      await st.close();
    }
  });

  it('anything else is refused with the forms it takes', () => {
    for (const endpoint of ['mysql://db', 'etcd:2379', 'https://h:2379/path']) {
      assert.throws(() => openStorage(endpoint, dir()), {
        message: `unsupported --datastore-endpoint "${endpoint}": use sqlite, sqlite:///path/to/file.db or http(s)://host:2379[,...]`,
      });
    }
  });
});
