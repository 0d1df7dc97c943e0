// `k8ts server` service-account flags: issuer, audiences, maximum token lifetime.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup, startServer, type TestServer } from './harness.js';

let s: TestServer;
let dir = '';
let auditLog = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'k8ts-authn-audit-'));
  auditLog = join(dir, 'audit.log');
  writeFileSync(
    join(dir, 'policy.yaml'),
    'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n',
  );
  s = await startServer([
    '--audit-policy-file',
    join(dir, 'policy.yaml'),
    '--audit-log-path',
    auditLog,
    '--service-account-issuer',
    'https://issuer.example',
    '--service-account-issuer',
    'https://kubernetes.default.svc.cluster.local',
    '--api-audiences',
    'https://kubernetes.default.svc.cluster.local,k3s',
    '--service-account-max-token-expiration',
    '2h',
  ]);
  assert.equal((await s.kubectl(['create', 'sa', 'robot'])).code, 0);
});

after(async () => {
  await s.stop();
  cleanup(s);
  rmSync(dir, { recursive: true, force: true });
});

const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('service-account flags', () => {
  it('tokens carry the first issuer and the API audiences; longer lifetimes are shortened with a warning', async () => {
    const r = await s.kubectl(['create', 'token', 'robot', '--duration', '5h']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, 'Warning: requested expiration of 18000 seconds shortened to 7200 seconds\n');
    const c = claimsOf(r.stdout.trim());
    assert.equal(c.iss, 'https://issuer.example');
    assert.deepEqual(c.aud, ['https://kubernetes.default.svc.cluster.local', 'k3s']);
    assert.equal(Number(c.exp) - Number(c.iat), 7200);
    const conf = await s.api('GET', '/.well-known/openid-configuration');
    assert.equal(JSON.parse(conf.body).issuer, 'https://issuer.example');
  });

  it('a token for one of the API audiences only is accepted (TokenReview)', async () => {
    const token = (await s.kubectl(['create', 'token', 'robot', '--audience', 'k3s'])).stdout.trim();
    const review = await s.api(
      'POST',
      '/apis/authentication.k8s.io/v1/tokenreviews',
      JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }),
    );
    assert.equal(review.status, 201);
    const st = JSON.parse(review.body).status;
    assert.equal(st.authenticated, true);
    assert.deepEqual(st.audiences, ['k3s']);
    const other = (await s.kubectl(['create', 'token', 'robot', '--audience', 'vault'])).stdout.trim();
    const refused = await s.api(
      'POST',
      '/apis/authentication.k8s.io/v1/tokenreviews',
      JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: other } }),
    );
    assert.equal(
      JSON.parse(refused.body).status.error,
      'token audiences ["vault"] is invalid for the target audiences ["https://kubernetes.default.svc.cluster.local" "k3s"]',
    );
  });

  it('an impersonated request is audited with the requester as user and the target as impersonatedUser', async () => {
    await s.kubectl([
      'create',
      'rolebinding',
      'jane-view',
      '--clusterrole=view',
      '--user=jane',
      '-n',
      'default',
    ]);
    // the view role is filled by the aggregation controller: wait until jane may list
    const until = Date.now() + 20_000;
    while (
      (
        await s.kubectl(['auth', 'can-i', 'list', 'configmaps', '-n', 'default', '--as=jane'])
      ).stdout.trim() !== 'yes'
    ) {
      if (Date.now() > until) throw new Error('jane never got view');
      await new Promise((r) => setTimeout(r, 200));
    }
    const r = await s.kubectl(['--as', 'jane', '--as-group', 'dev', 'get', 'configmaps', '-n', 'default']);
    assert.equal(r.code, 0, r.stderr);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const lines = existsSync(auditLog) ? readFileSync(auditLog, 'utf8').trim().split('\n') : [];
      const ev = lines
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, { username?: string; groups?: string[] } | string>)
        .find(
          (e) =>
            e.stage === 'ResponseComplete' &&
            e.requestURI === '/api/v1/namespaces/default/configmaps?limit=500',
        );
      if (ev) {
        assert.equal((ev.user as { username: string }).username, 'system:admin');
        assert.deepEqual(ev.impersonatedUser, { username: 'jane', groups: ['dev', 'system:authenticated'] });
        break;
      }
      assert.ok(Date.now() < deadline, 'no audit event for the impersonated request');
      await new Promise((res) => setTimeout(res, 200));
    }
  });
});
