// The storage view a webhook-converted version reads and writes through: values converted to
// the served version on the way out and to the storage version on the way in, watch events in
// order (a failing batch retried, not dropped), write conflicts handed back in the served form.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStorage } from '../../../src/storage/sqlite/backend.js';
import { CompactedError, RevisionMismatchError, type WatchEvent } from '../../../src/storage/types.js';
import { ConvertingStorage } from '../../../src/apiserver/crd/converting-storage.js';
import type { Converter } from '../../../src/apiserver/crd/conversion.js';
import type { KubeObject } from '../../../src/api/types.js';

const K = '/registry/ex.com/things/ns/';
const enc = (o: object) => Buffer.from(JSON.stringify(o));
const dec = (v: Uint8Array) => JSON.parse(Buffer.from(v).toString()) as KubeObject & { spec: { v: string } };
const thing = (name: string, version: string) => ({
  apiVersion: `ex.com/${version}`,
  kind: 'Thing',
  metadata: { name },
  spec: { v: version },
});

/** Rewrites apiVersion and spec.v; fails while `failures` > 0; records what it was asked. */
class FakeConverter implements Converter {
  calls: string[] = [];
  failures = 0;
  async convert(objs: KubeObject[], apiVersion: string): Promise<KubeObject[]> {
    const todo = objs.filter((o) => o.apiVersion !== apiVersion);
    if (!todo.length) return objs;
    this.calls.push(`${apiVersion}:${todo.map((o) => o.metadata.name).join(',')}`);
    if (this.failures > 0) {
      this.failures--;
      throw new Error('conversion webhook for ex.com/v1, Kind=Thing failed: down');
    }
    return objs.map((o) =>
      o.apiVersion === apiVersion ? o : { ...o, apiVersion, spec: { v: apiVersion.split('/')[1] } },
    );
  }
}

function setup() {
  const inner = SqliteStorage.open(':memory:');
  const conv = new FakeConverter();
  const v2 = new ConvertingStorage(inner, conv, 'ex.com/v2', () => 'ex.com/v1');
  return { inner, conv, v2 };
}

describe('ConvertingStorage', () => {
  it('reads in the served version, calling the converter only for other versions', async () => {
    const { inner, conv, v2 } = setup();
    await inner.create(`${K}a`, enc(thing('a', 'v1')));
    await inner.create(`${K}b`, enc(thing('b', 'v2')));
    assert.equal(dec((await v2.get(`${K}a`))!.value).spec.v, 'v2');
    assert.deepEqual(
      (await v2.list(K)).kvs.map((kv) => dec(kv.value).apiVersion),
      ['ex.com/v2', 'ex.com/v2'],
    );
    // b was never sent: it is stored in v2 already
    assert.deepEqual(conv.calls, ['ex.com/v2:a', 'ex.com/v2:a']);
    await inner.close();
  });

  it('writes in the storage version and hands conflicts back converted', async () => {
    const { inner, v2 } = setup();
    const rev = await v2.create(`${K}a`, enc(thing('a', 'v2')));
    assert.equal(dec((await inner.get(`${K}a`))!.value).apiVersion, 'ex.com/v1');
    await inner.update(`${K}a`, enc(thing('a', 'v1')), rev);
    const err = await v2.update(`${K}a`, enc(thing('a', 'v2')), rev).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof RevisionMismatchError);
    assert.equal(dec(err.current.value).apiVersion, 'ex.com/v2');
    await inner.close();
  });

  it('fails reads with the conversion error as a 500', async () => {
    const { inner, conv, v2 } = setup();
    await inner.create(`${K}a`, enc(thing('a', 'v1')));
    conv.failures = 1;
    const err = (await v2.get(`${K}a`).then(
      () => undefined,
      (e: unknown) => e,
    )) as { code: number; message: string };
    assert.equal(err.code, 500);
    assert.equal(
      err.message,
      'Internal error occurred: conversion webhook for ex.com/v1, Kind=Thing failed: down',
    );
    await inner.close();
  });

  it('hands a broken storage watch to its owner instead of the cache', async () => {
    const inner = SqliteStorage.open(':memory:');
    await inner.create(`${K}a`, enc(thing('a', 'v1')));
    const rev = await inner.update(`${K}a`, enc(thing('a', 'v1')), 1);
    await inner.compact(rev);
    let cacheSaw: Error | undefined;
    const broken = await new Promise<Error>((resolve) => {
      const v2 = new ConvertingStorage(inner, new FakeConverter(), 'ex.com/v2', () => 'ex.com/v1', resolve);
      v2.watch(K, 0, { onEvents: () => undefined, onError: (e) => (cacheSaw = e) });
    });
    assert.ok(broken instanceof CompactedError);
    assert.equal(cacheSaw, undefined);
    await inner.close();
  });

  it('delivers watch events converted and in order, retrying a batch that failed', async () => {
    const { inner, conv, v2 } = setup();
    const got: string[] = [];
    let done: () => void;
    const all = new Promise<void>((r) => (done = r));
    const w = v2.watch(K, 0, {
      onEvents: (evs: WatchEvent[]) => {
        for (const e of evs) got.push(`${e.type} ${dec(e.kv.value).metadata.name} ${dec(e.kv.value).spec.v}`);
        if (got.length === 3) done();
      },
      onError: (e) => assert.fail(e),
    });
    conv.failures = 1;
    await inner.create(`${K}a`, enc(thing('a', 'v1')));
    await inner.create(`${K}b`, enc(thing('b', 'v2')));
    await inner.delete(`${K}a`);
    await all;
    w.dispose();
    assert.deepEqual(got, ['put a v2', 'put b v2', 'delete a v2']);
    // the first batch was asked twice (failed, then retried)
    assert.equal(conv.calls[0], conv.calls[1]);
    await inner.close();
  });
});
