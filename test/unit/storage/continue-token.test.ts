// Continue tokens: upstream's encoding, and its 400 messages for tokens that are not valid.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../../src/api/errors.js';
import { decodeContinue, encodeContinue } from '../../../src/storage/continue-token.js';

const token = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

function rejects(tok: string, message: string) {
  assert.throws(
    () => decodeContinue(tok, '/registry/pods/'),
    (e: unknown) =>
      e instanceof StatusError && e.code === 400 && e.reason === 'BadRequest' && e.message === message,
  );
}

describe('continue tokens', () => {
  it('encode as upstream: unpadded base64url JSON of v, rv and the next key below the prefix', () => {
    const t = encodeContinue('/registry/pods/ns/a', '/registry/pods/', 42);
    assert.doesNotMatch(t, /[=+/]/);
    assert.deepEqual(JSON.parse(Buffer.from(t, 'base64url').toString()), {
      v: 'meta.k8s.io/v1',
      rv: 42,
      start: 'ns/a\u0000',
    });
    assert.deepEqual(decodeContinue(t, '/registry/pods/'), {
      startKey: '/registry/pods/ns/a\u0000',
      revision: 42,
    });
  });

  it('a token that is not base64url is 400', () => {
    rejects(
      'bm9wZQ==',
      'invalid continue token: continue key is not valid: illegal base64 data at input byte 6',
    );
  });

  it('an unknown version is 400', () => {
    rejects(
      token({ v: 'v1', rv: 1, start: 'a' }),
      'invalid continue token: continue key is not valid: server does not recognize this encoded version v1',
    );
  });

  it('a zero revision is 400', () => {
    rejects(
      token({ v: 'meta.k8s.io/v1', rv: 0, start: 'a' }),
      'invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
  });

  it('an empty start key is 400', () => {
    rejects(
      token({ v: 'meta.k8s.io/v1', rv: 3, start: '' }),
      'invalid continue token: continue key is not valid: encoded start key empty (version meta.k8s.io/v1)',
    );
  });

  it('a start key that climbs out of the prefix is 400', () => {
    for (const start of ['../secrets/x', './x', 'a//b', 'a/../../b']) {
      rejects(
        token({ v: 'meta.k8s.io/v1', rv: 3, start }),
        `invalid continue token: continue key is not valid: ${start}`,
      );
    }
  });
});
