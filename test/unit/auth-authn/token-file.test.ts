import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCSV, parseTokenFile } from '../../../src/apiserver/auth/authn/token-file.js';

describe('static token file (--token-auth-file)', () => {
  it('reads token,user,uid,"group1,group2" as upstream does', () => {
    const users = parseTokenFile('t1,alice,uid-1,"dev,ops"\nt2,bob,uid-2\n', 'f.csv');
    assert.deepEqual(users.get('t1'), { name: 'alice', uid: 'uid-1', groups: ['dev', 'ops'] });
    assert.deepEqual(users.get('t2'), { name: 'bob', uid: 'uid-2', groups: [] });
  });

  it('skips blank lines, reads CRLF files, quoted fields and a BOM', () => {
    const users = parseTokenFile('\uFEFF"t1",alice,u1\r\n\r\n"t,2","bo""b",u2,g\r\n', 'f.csv');
    assert.equal(users.get('t1')?.name, 'alice');
    assert.deepEqual(users.get('t,2'), { name: 'bo"b', uid: 'u2', groups: ['g'] });
  });

  it('an empty token is skipped; a later duplicate wins', () => {
    const users = parseTokenFile(',nobody,u0\nt,first,u1\nt,second,u2\n', 'f.csv');
    assert.equal(users.size, 1);
    assert.equal(users.get('t')?.name, 'second');
  });

  it("a record with fewer than 3 columns stops with upstream's message", () => {
    assert.throws(
      () => parseTokenFile('t1,alice\n', '/etc/tokens.csv'),
      /token file '\/etc\/tokens.csv' must have at least 3 columns \(token, user name, user uid\), found 2/,
    );
  });

  it('an unterminated quote is a parse error', () => {
    assert.throws(() => parseCSV('t1,"alice,u\n'), /extraneous or missing " in quoted-field/);
    assert.throws(() => parseCSV('t1,al"ice,u\n'), /bare " in non-quoted-field/);
  });
});
