import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { ensureServerPKI } from '../../../src/pki/bundle.js';

describe('server PKI', () => {
  it('makes a CA, a serving cert with the kubernetes names, an admin cert in system:masters; reuses them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pki-'));
    const opts = {
      tlsDir: dir,
      kubernetesServiceIP: '10.43.0.1',
      tlsSans: ['k8ts.example.com', '192.0.2.7'],
    };
    const a = await ensureServerPKI(opts);
    const serving = new X509Certificate(a.serving.certPem);
    for (const n of [
      'DNS:kubernetes.default.svc.cluster.local',
      'DNS:localhost',
      'IP Address:127.0.0.1',
      'IP Address:10.43.0.1',
      'DNS:k8ts.example.com',
      'IP Address:192.0.2.7',
    ]) {
      assert.ok(serving.subjectAltName?.includes(n), `${n} in ${serving.subjectAltName}`);
    }
    const ca = new X509Certificate(a.caCertPem);
    assert.ok(serving.verify(ca.publicKey));
    const admin = new X509Certificate(a.admin.certPem);
    assert.match(admin.subject, /O=system:masters/);
    assert.match(admin.subject, /CN=system:admin/);
    const b = await ensureServerPKI(opts);
    assert.equal(b.caCertPem, a.caCertPem);
    assert.equal(b.serving.certPem, a.serving.certPem);
    assert.equal(readFileSync(join(dir, 'server-ca.crt'), 'utf8'), a.caCertPem);
  });
});
