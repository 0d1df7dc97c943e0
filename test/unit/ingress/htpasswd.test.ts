// The htpasswd formats nginx's auth_basic accepts, checked against hashes made by other tools:
// `openssl passwd -apr1` (ingress-nginx's own docs example foo:bar), glibc/libxcrypt crypt(3)
// for $1$, $2b$, $2y$, $2a$, $5$, $6$, and {SHA}/{SSHA} as htpasswd -s and LDAP write them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  basicCredentials,
  md5Crypt,
  parseHtpasswd,
  PasswordFile,
  shaCrypt,
  unsupportedFormat,
  verifyPassword,
} from '../../../src/ingress/htpasswd.js';
import { bcryptVerify } from '../../../src/ingress/bcrypt.js';

test('apr1 and $1$ MD5-crypt, as openssl passwd and crypt(3) make them', () => {
  // the example of ingress-nginx's basic-auth docs: foo / bar
  assert.equal(md5Crypt('bar', '$apr1$', 'OFG3Xybp'), '$apr1$OFG3Xybp$ckL0FHDAkoXYIlH9.cysT0');
  assert.ok(verifyPassword('bar', '$apr1$OFG3Xybp$ckL0FHDAkoXYIlH9.cysT0'));
  assert.ok(!verifyPassword('baz', '$apr1$OFG3Xybp$ckL0FHDAkoXYIlH9.cysT0'));
  assert.ok(verifyPassword('s3cret!', '$apr1$xyz12345$VLIH2kI1lIy0nfDkBGgcK0'));
  assert.ok(verifyPassword('s3cret!', '$1$saltsalt$VOPYKze.9bvLD0G4Fpa.K.'));
  assert.ok(!verifyPassword('s3cret', '$1$saltsalt$VOPYKze.9bvLD0G4Fpa.K.'));
});

test('bcrypt $2b$, $2y$ and $2a$ (a non-canonical salt character too)', () => {
  assert.ok(bcryptVerify('s3cret!', '$2b$05$abcdefghijklmnopqrstuulXbhLU5N9MDcFlG1r2Raysvz.c5v0j2'));
  assert.ok(verifyPassword('s3cret!', '$2y$05$abcdefghijklmnopqrstuulXbhLU5N9MDcFlG1r2Raysvz.c5v0j2'));
  assert.ok(!verifyPassword('s3cret?', '$2y$05$abcdefghijklmnopqrstuulXbhLU5N9MDcFlG1r2Raysvz.c5v0j2'));
  assert.ok(verifyPassword('s3cret!', '$2a$04$0123456789abcdefABCDE.Xkf/oAgpKlffM51tUghf94.kVckR6fG'));
  assert.ok(verifyPassword('', '$2b$04$abcdefghijklmnopqrstuubyCG3zY1GIXMyxfivm.ClDiInHzxjiq'));
  // 80 bytes: only the first 72 count
  const long = '$2b$04$abcdefghijklmnopqrstuuBzzIgyKkz7xMWYSzkIjUSnxEQFQ0WNe';
  assert.ok(verifyPassword('a'.repeat(80), long));
  assert.ok(verifyPassword('a'.repeat(72), long));
  assert.ok(!verifyPassword('a'.repeat(71), long));
  assert.ok(verifyPassword('pässwörd', '$2b$04$abcdefghijklmnopqrstuuyx2n0Zzopyr9QuYTMCfOJJOj526QVoC'));
});

test('SHA-crypt $5$ and $6$, with and without rounds=', () => {
  assert.equal(shaCrypt('s3cret!', '$5$saltsalt'), '$5$saltsalt$ywm3fh9hlsnP3CjHIq/FB4.Fd4RXGIh17PjuacBS6v7');
  assert.ok(verifyPassword('s3cret!', '$5$rounds=2000$salt$9ulzWPOVcekfCiqDd.AB8/ZoQR1s.oDTgNLQFHch26D'));
  assert.ok(
    verifyPassword(
      's3cret!',
      '$6$saltsalt$uaQDPpNNmpqQqJ6NPTrhPhecelxJnfkYy3xGzbwpPmNcWNMBXnFVaqXW01bxhKcx6FdLrrY9EcKr6IS/gAfGN.',
    ),
  );
  assert.ok(!verifyPassword('x', '$5$saltsalt$ywm3fh9hlsnP3CjHIq/FB4.Fd4RXGIh17PjuacBS6v7'));
});

test('{SHA}, {SSHA} and {PLAIN}; DES crypt and unknown formats never match', () => {
  assert.ok(verifyPassword('s3cret!', '{SHA}YWXIkDPDfrJ6I4yV+0kqTJdT5SE='));
  assert.ok(!verifyPassword('s3cret', '{SHA}YWXIkDPDfrJ6I4yV+0kqTJdT5SE='));
  assert.ok(verifyPassword('s3cret!', '{SSHA}kPyoF52SbJL6c6YSotkqJinDq15zYWx0'));
  assert.ok(verifyPassword('plain', '{PLAIN}plain'));
  assert.ok(!verifyPassword('s3cret!', 'abGaYwuak.pMg'));
  assert.equal(unsupportedFormat('abGaYwuak.pMg'), 'DES crypt is not supported');
  assert.equal(unsupportedFormat('s3cret!'), 'unknown password hash format');
  assert.equal(unsupportedFormat('$apr1$OFG3Xybp$ckL0FHDAkoXYIlH9.cysT0'), undefined);
});

test('htpasswd lines: comments, CRLF, a comment field, the first line of a user wins', () => {
  const users = parseHtpasswd(
    '# admins\r\nfoo:$apr1$OFG3Xybp$ckL0FHDAkoXYIlH9.cysT0:Foo Bar\r\nfoo:{PLAIN}other\n\nnocolon\nbob:{PLAIN}pw',
  );
  assert.deepEqual([...users.keys()], ['foo', 'bob']);
  const file = new PasswordFile(users);
  assert.ok(file.check('foo', 'bar'));
  assert.ok(file.check('foo', 'bar'), 'cached answer');
  assert.ok(!file.check('foo', 'other'));
  assert.ok(!file.check('Foo', 'bar'), 'user names are case-sensitive');
  assert.ok(file.check('bob', 'pw'));
});

test('Authorization: Basic credentials', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  assert.deepEqual(basicCredentials(`Basic ${b64('foo:b:ar')}`), { user: 'foo', password: 'b:ar' });
  assert.deepEqual(basicCredentials(`basic  ${b64('foo:')}`), { user: 'foo', password: '' });
  assert.equal(basicCredentials(undefined), undefined);
  assert.equal(basicCredentials(`Bearer ${b64('foo:bar')}`), undefined);
  assert.equal(basicCredentials(`Basic ${b64('foobar')}`), undefined);
});
