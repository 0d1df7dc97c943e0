// The service-account signing key is made once and kept: tokens issued before a restart still
// authenticate after it.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, startServer, type TestServer } from './harness.js';

let s: TestServer | undefined;

after(async () => {
  if (s) {
    await s.stop();
    cleanup(s);
  }
});

describe('signing key across restarts', () => {
  it('a token from before the restart works after it; the key file is private', async () => {
    s = await startServer();
    const keyPath = join(s.dataDir, 'server', 'tls', 'service.key');
    const key = readFileSync(keyPath, 'utf8');
    assert.match(key, /^-----BEGIN RSA PRIVATE KEY-----/);
    assert.equal(statSync(keyPath).mode & 0o777, 0o600);
    assert.equal((await s.kubectl(['create', 'sa', 'robot'])).code, 0);
    const token = (await s.kubectl(['create', 'token', 'robot'])).stdout.trim();
    assert.equal(await s.stop(), 0);
    s = await startServer([], { dir: s.dir, port: s.port });
    assert.equal(readFileSync(keyPath, 'utf8'), key);
    const review = await s.api(
      'POST',
      '/apis/authentication.k8s.io/v1/tokenreviews',
      JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }),
    );
    assert.equal(JSON.parse(review.body).status.user.username, 'system:serviceaccount:default:robot');
  });
});
