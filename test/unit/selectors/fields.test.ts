import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkFieldSelectorSupported,
  fieldSelectorText,
  fieldsMatch,
  parseFieldSelector,
} from '../../../src/api/selectors/index.js';

test('=, == and != parse into requirements sorted by term', () => {
  assert.deepEqual(parseFieldSelector('status.phase!=Running,metadata.name==web,spec.nodeName=n1'), [
    { field: 'metadata.name', operator: '=', value: 'web' },
    { field: 'spec.nodeName', operator: '=', value: 'n1' },
    { field: 'status.phase', operator: '!=', value: 'Running' },
  ]);
});

test('empty selectors and empty terms select everything', () => {
  assert.deepEqual(parseFieldSelector(''), []);
  assert.deepEqual(parseFieldSelector(','), []);
});

test('an empty value is allowed', () => {
  assert.deepEqual(parseFieldSelector('spec.nodeName='), [
    { field: 'spec.nodeName', operator: '=', value: '' },
  ]);
});

test('escaped commas, equals signs and backslashes are part of the value', () => {
  assert.deepEqual(parseFieldSelector('metadata.name=a\\,b\\=c\\\\d,x=y'), [
    { field: 'metadata.name', operator: '=', value: 'a,b=c\\d' },
    { field: 'x', operator: '=', value: 'y' },
  ]);
  assert.equal(fieldSelectorText(parseFieldSelector('metadata.name=a\\,b')), 'metadata.name=a\\,b');
});

test('parse errors carry upstream texts', () => {
  assert.throws(() => parseFieldSelector('metadata.name'), {
    message: "invalid selector: 'metadata.name'; can't understand 'metadata.name'",
  });
  assert.throws(() => parseFieldSelector('a=b,c'), {
    message: "invalid selector: 'a=b,c'; can't understand 'c'",
  });
  assert.throws(() => parseFieldSelector('a=b\\x'), {
    message: 'invalid field selector: invalid escape sequence: \\x',
  });
  assert.throws(() => parseFieldSelector('a=b\\'), {
    message: 'invalid field selector: invalid escape sequence: \\',
  });
  // Go prints the rune with %v, i.e. as its code point
  assert.throws(() => parseFieldSelector('a=b=c'), {
    message: 'invalid field selector: unescaped character in value: 61',
  });
});

test('unsupported fields are reported as upstream does', () => {
  const reqs = parseFieldSelector('spec.foo=x');
  assert.throws(() => checkFieldSelectorSupported(reqs, ['metadata.name', 'metadata.namespace']), {
    message: '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"',
  });
  assert.throws(
    () => checkFieldSelectorSupported(reqs, ['metadata.name', 'metadata.namespace', 'spec.nodeName']),
    {
      message: 'field label not supported: spec.foo',
    },
  );
  checkFieldSelectorSupported(parseFieldSelector('metadata.name=a'), ['metadata.name', 'metadata.namespace']);
});

test('matching reads fields through a getter; missing fields read as empty', () => {
  const obj: Record<string, string> = { 'metadata.name': 'web', 'status.phase': 'Running' };
  const get = (f: string) => obj[f];
  assert.equal(fieldsMatch(parseFieldSelector('metadata.name=web'), get), true);
  assert.equal(fieldsMatch(parseFieldSelector('status.phase!=Running'), get), false);
  assert.equal(fieldsMatch(parseFieldSelector('spec.nodeName='), get), true);
  assert.equal(fieldsMatch(parseFieldSelector('spec.nodeName!='), get), false);
});
