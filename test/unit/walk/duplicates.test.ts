import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findDuplicateFields } from '../../../src/api/schema/walk-duplicates.js';

test('repeated keys are reported with the strict decoder path', () => {
  const body = `{"kind":"Deployment","spec":{"replicas":1,"replicas":2,
    "template":{"spec":{"containers":[{"name":"a"},{"name":"b","image":"x","image":"y"}]}}},
    "metadata":{"labels":{"a":"1","a":"2"}}}`;
  assert.deepEqual(findDuplicateFields(body), [
    'spec.replicas',
    'spec.template.spec.containers[1].image',
    'metadata.labels.a',
  ]);
});

test('no duplicates, escaped keys, nested empties and scalars', () => {
  assert.deepEqual(findDuplicateFields('{"a":{},"b":[],"c":[1,"x",true,null],"d\\"e":"}"}'), []);
  assert.deepEqual(findDuplicateFields('{"a\\u0062":1,"ab":2}'), ['ab'], 'keys compare after unescaping');
  assert.deepEqual(findDuplicateFields('{"x":1,"x":2,"x":3}'), ['x'], 'reported once');
});
