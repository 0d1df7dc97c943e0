import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch } from '../../../src/api/patch/merge-patch.js';

const cases: { name: string; doc: unknown; patch: unknown; want: unknown }[] = [
  {
    name: 'objects merge recursively',
    doc: { a: { b: 1, c: 2 } },
    patch: { a: { b: 3 } },
    want: { a: { b: 3, c: 2 } },
  },
  { name: 'null deletes a key', doc: { a: 1, b: 2 }, patch: { a: null }, want: { b: 2 } },
  {
    name: 'lists are replaced, not merged',
    doc: { l: [{ n: 1 }, { n: 2 }] },
    patch: { l: [{ n: 3 }] },
    want: { l: [{ n: 3 }] },
  },
  {
    name: 'nulls inside an added value are pruned, also in objects within lists',
    doc: {},
    patch: { a: { b: null, c: 1 }, l: [{ x: null, y: 1 }, null] },
    want: { a: { c: 1 }, l: [{ y: 1 }, null] },
  },
  { name: 'a scalar replaces an object', doc: { a: { b: 1 } }, patch: { a: 'x' }, want: { a: 'x' } },
  {
    name: 'an object replaces a scalar',
    doc: { a: 'x' },
    patch: { a: { b: 1, c: null } },
    want: { a: { b: 1 } },
  },
  { name: 'a non-object patch replaces the document', doc: { a: 1 }, patch: [1], want: [1] },
  { name: 'deleting a missing key is not an error', doc: { a: 1 }, patch: { z: null }, want: { a: 1 } },
];

for (const c of cases) {
  test(`merge patch: ${c.name}`, () => {
    const before = JSON.stringify(c.doc);
    assert.deepEqual(applyMergePatch(c.doc, c.patch), c.want);
    assert.equal(JSON.stringify(c.doc), before, 'the document is not modified');
  });
}
