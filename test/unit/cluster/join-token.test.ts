// The join tokens and the API server identity name, against independently computed values.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { caHash, formatJoinToken, parseJoinToken } from '../../../src/cluster/join-token.js';
import { apiserverIdentity } from '../../../src/apiserver/endpoint-reconciler.js';

describe('server join token', () => {
  it('round-trips K10<sha256>::server:<secret>', () => {
    const hash = caHash('-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n');
    assert.match(hash, /^[0-9a-f]{64}$/);
    const text = formatJoinToken({ caHash: hash, username: 'server', secret: 's3cret' });
    assert.equal(text, `K10${hash}::server:s3cret`);
    assert.deepEqual(parseJoinToken(text), { caHash: hash, username: 'server', secret: 's3cret' });
  });

  it('refuses a token without the CA hash (no join without pinning the CA)', () => {
    for (const bad of [
      's3cret',
      'K10abc::server:x',
      `K10${'a'.repeat(64)}:server:x`,
      'abcdef.0123456789abcdef',
    ])
      assert.throws(
        () => parseJoinToken(bad),
        /invalid --token: want the full join token K10<ca-hash>::server:<secret>/,
      );
  });
});

describe('apiserver identity', () => {
  it("is upstream's apiserver-<base32 of sha256(len-prefixed host name, kube-apiserver)[:16]>", () => {
    // computed with Python's hashlib and base64.b32encode
    assert.equal(apiserverIdentity('master-1'), 'apiserver-wj467rbl25eeviqacfhvg2yvnm');
  });
});
