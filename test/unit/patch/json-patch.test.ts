import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch } from '../../../src/api/patch/json-patch.js';
import { GENERIC_UNPROCESSABLE, PatchApplyError } from '../../../src/api/patch/errors.js';
import { StatusError } from '../../../src/api/errors.js';

const doc = (): Record<string, unknown> => ({
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: { replicas: 1, args: ['a', 'b'], 'x/y': 1, 'm~n': 2 },
});

/** Asserts the 422 a client sees, and the library's explanation behind it. */
function doesNotApply(ops: unknown, detail: string): void {
  assert.throws(
    () => applyJsonPatch(doc(), ops),
    (err: unknown) => {
      assert.ok(err instanceof PatchApplyError);
      assert.equal(err.code, 422);
      assert.equal(err.reason, 'Invalid');
      assert.equal(err.message, GENERIC_UNPROCESSABLE);
      assert.equal(err.detail, detail);
      return true;
    },
  );
}

const cases: { name: string; ops: unknown[]; want: (d: Record<string, unknown>) => void }[] = [
  {
    name: 'add sets an object member',
    ops: [{ op: 'add', path: '/metadata/labels/tier', value: 'front' }],
    want: (d) => ((d.metadata as { labels: Record<string, string> }).labels.tier = 'front'),
  },
  {
    name: 'add inserts into a list and appends with "-"',
    ops: [
      { op: 'add', path: '/spec/args/1', value: 'x' },
      { op: 'add', path: '/spec/args/-', value: 'z' },
    ],
    want: (d) => ((d.spec as { args: string[] }).args = ['a', 'x', 'b', 'z']),
  },
  {
    name: 'remove deletes a member and a list item',
    ops: [
      { op: 'remove', path: '/metadata/labels/app' },
      { op: 'remove', path: '/spec/args/0' },
    ],
    want: (d) => {
      (d.metadata as { labels: unknown }).labels = {};
      (d.spec as { args: string[] }).args = ['b'];
    },
  },
  {
    name: 'replace changes a value; on a missing object key it adds it (evanphx v4)',
    ops: [
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'replace', path: '/spec/paused', value: true },
    ],
    want: (d) => Object.assign(d.spec as object, { replicas: 3, paused: true }),
  },
  {
    name: 'move and copy',
    ops: [
      { op: 'copy', from: '/metadata/name', path: '/metadata/labels/name' },
      { op: 'move', from: '/spec/args', path: '/spec/command' },
    ],
    want: (d) => {
      (d.metadata as { labels: Record<string, string> }).labels.name = 'web';
      const spec = d.spec as Record<string, unknown>;
      spec.command = spec.args;
      delete spec.args;
    },
  },
  {
    name: 'test passes on an equal value; "~1" and "~0" are unescaped',
    ops: [
      { op: 'test', path: '/spec/replicas', value: 1 },
      { op: 'test', path: '/spec/x~1y', value: 1 },
      { op: 'test', path: '/spec/m~0n', value: 2 },
      { op: 'test', path: '/metadata/labels', value: { app: 'web' } },
    ],
    want: () => undefined,
  },
  {
    name: 'a negative index counts from the end',
    ops: [{ op: 'remove', path: '/spec/args/-1' }],
    want: (d) => ((d.spec as { args: string[] }).args = ['a']),
  },
];

for (const c of cases) {
  test(`json patch: ${c.name}`, () => {
    const want = doc();
    c.want(want);
    const input = doc();
    assert.deepEqual(applyJsonPatch(input, c.ops), want);
    assert.deepEqual(input, doc(), 'the input document is not modified');
  });
}

test('json patch: a failing test op is a 422 with the generic text', () => {
  doesNotApply(
    [{ op: 'test', path: '/spec/replicas', value: 2 }],
    'testing value /spec/replicas failed: test failed',
  );
  doesNotApply(
    [{ op: 'test', path: '/spec/paused', value: true }],
    'testing value /spec/paused failed: test failed',
  );
});

test('json patch: paths that do not exist', () => {
  doesNotApply(
    [{ op: 'add', path: '/spec/template/spec', value: {} }],
    'add operation does not apply: doc is missing path: "/spec/template/spec": missing value',
  );
  doesNotApply(
    [{ op: 'remove', path: '/spec/nope' }],
    "error in remove for path: '/spec/nope': Unable to remove nonexistent key: nope: missing value",
  );
  doesNotApply(
    [{ op: 'remove', path: '/status/x' }],
    'remove operation does not apply: doc is missing path: "/status/x": missing value',
  );
  doesNotApply(
    [{ op: 'replace', path: '/spec/args/5', value: 'x' }],
    'replace operation does not apply: doc is missing key: /spec/args/5: missing value',
  );
  doesNotApply(
    [{ op: 'add', path: '/spec/args/5', value: 'x' }],
    "error in add for path: '/spec/args/5': Unable to access invalid index: 5: invalid index referenced",
  );
  doesNotApply(
    [{ op: 'move', from: '/nope/x', path: '/spec/y' }],
    'move operation does not apply: doc is missing from path: /nope/x: missing value',
  );
  doesNotApply(
    [{ op: 'copy', from: '/spec/replicas', path: '/nope/x' }],
    'copy operation does not apply: doc is missing destination path: /nope/x: missing value',
  );
});

test('json patch: an unknown op is a 422', () => {
  doesNotApply([{ op: 'spam', path: '/spec' }], 'Unexpected kind: spam');
  doesNotApply([{ path: '/spec' }], 'Unexpected kind: unknown');
});

test('json patch: a body that is not a list of operations is a 400', () => {
  assert.throws(
    () => applyJsonPatch(doc(), { op: 'add' }),
    (err: unknown) =>
      err instanceof StatusError &&
      err.code === 400 &&
      err.message === 'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
  );
  assert.throws(
    () => applyJsonPatch(doc(), ['add']),
    (err: unknown) =>
      err instanceof StatusError &&
      err.code === 400 &&
      err.message === 'json: cannot unmarshal string into Go value of type jsonpatch.Operation',
  );
});

test('json patch: more than 10000 operations is a 413', () => {
  const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/spec/replicas', value: 1 }));
  assert.throws(
    () => applyJsonPatch(doc(), ops),
    (err: unknown) =>
      err instanceof StatusError &&
      err.code === 413 &&
      err.reason === 'RequestEntityTooLarge' &&
      err.message ===
        'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001',
  );
});
