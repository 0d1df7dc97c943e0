// Request bodies sent as YAML (apply patches): JSON text takes the JSON parser's fast path, and
// must mean exactly what the YAML parser would make of it, errors included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYAML } from 'yaml';
import { parseDocument } from '../../../src/apiserver/endpoints/decode.js';
import { StatusError } from '../../../src/api/errors.js';

const yaml = (text: string) => parseDocument(Buffer.from(text), true);

test('a JSON apply body parses as the YAML parser would read it', () => {
  const text = JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'x', labels: { 'a/b': 'é\u2603' } },
    data: { n: '1e3', s: 'line\nnext "quoted" \\ back' },
    list: [1, 2.5, -3, 1e21, true, null, { k: [] }],
  });
  assert.deepEqual(yaml(text), parseYAML(text));
  assert.deepEqual(yaml('  \n{"a": 1, "b": {"c": [1, 2]}}'), { a: 1, b: { c: [1, 2] } });
});

test('a JSON body with a repeated key is refused as YAML refuses it (400)', () => {
  assert.throws(
    () => yaml('{"metadata": {"name": "a", "name": "b"}}'),
    (err: unknown) => err instanceof StatusError && err.code === 400 && /unique/.test(err.message),
  );
});

test('YAML that is not JSON still goes to the YAML parser', () => {
  assert.deepEqual(yaml('{a: 1}  # flow mapping, not JSON'), { a: 1 });
  assert.deepEqual(yaml('apiVersion: v1\nkind: ConfigMap\n'), { apiVersion: 'v1', kind: 'ConfigMap' });
  assert.throws(
    () => yaml('a: [1'),
    (err: unknown) => err instanceof StatusError && err.code === 400,
  );
});
