// The legacy line's pieces: Go's %q quoting and RFC3339Nano timestamps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goQuote, rfc3339Nano } from '../../../src/apiserver/audit/format.js';

test('goQuote escapes as strconv.Quote does', () => {
  assert.equal(goQuote('plain /api?x=1'), '"plain /api?x=1"');
  assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(goQuote('tab\tnl\n\x01\x7f'), '"tab\\tnl\\n\\x01\\x7f"');
  assert.equal(goQuote('héllo 日本'), '"héllo 日本"'); // printable runes stay as they are
  assert.equal(goQuote('nb\u00a0sp\u2028'), '"nb\\u00a0sp\\u2028"');
  assert.equal(goQuote('\u{1f600}'), '"\u{1f600}"');
});

test('RFC3339Nano drops trailing fractional zeros', () => {
  assert.equal(rfc3339Nano('2026-01-02T03:04:05.123456Z'), '2026-01-02T03:04:05.123456Z');
  assert.equal(rfc3339Nano('2026-01-02T03:04:05.100000Z'), '2026-01-02T03:04:05.1Z');
  assert.equal(rfc3339Nano('2026-01-02T03:04:05.000000Z'), '2026-01-02T03:04:05Z');
});
