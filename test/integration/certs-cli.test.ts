// `k8ts certs check-expiration` and `k8ts certs renew` on a real server's data dir: the tables,
// renewal with a new key, and the server working with the renewed certificates after a restart.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, ROOT, startServer } from './harness.js';

function k8ts(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(join(ROOT, 'bin', 'k8ts'), args, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

describe('k8ts certs', () => {
  it('shows expiry tables, renews all certificates, and the restarted server uses them', async () => {
    const s = await startServer();
    try {
      const check = await k8ts(['certs', 'check-expiration', '--data-dir', s.dataDir]);
      assert.equal(check.code, 0, check.stderr);
      const lines = check.stdout.split('\n');
      assert.match(
        lines[0],
        /^CERTIFICATE\s{3,}EXPIRES\s{3,}RESIDUAL TIME\s{3,}CERTIFICATE AUTHORITY\s{3,}EXTERNALLY MANAGED$/,
      );
      assert.match(
        check.stdout,
        /\nclient-admin\s+\w{3} \d\d, \d{4} \d\d:\d\d UTC\s+36[45]d\s+server-ca\s+no\n/,
      );
      assert.match(check.stdout, /\nserving-kube-apiserver\s+.* UTC\s+36[45]d\s+server-ca\s+no\n/);
      // the API server's client certificate towards kubelets
      assert.match(check.stdout, /\nclient-kube-apiserver\s+.* UTC\s+36[45]d\s+server-ca\s+no\n/);
      // the front-proxy client certificate of API aggregation, signed by its own CA
      assert.match(check.stdout, /\nclient-auth-proxy\s+.* UTC\s+36[45]d\s+request-header-ca\s+no\n/);
      assert.match(
        check.stdout,
        /\n\nCERTIFICATE AUTHORITY\s{3,}EXPIRES\s{3,}RESIDUAL TIME\s{3,}EXTERNALLY MANAGED\nrequest-header-ca\s+.* UTC\s+9y\s+no\nserver-ca\s+.* UTC\s+9y\s+no\n$/,
      );

      const tls = join(s.dataDir, 'server', 'tls');
      const before = readFileSync(join(tls, 'client-admin.key'), 'utf8');
      await s.stop();
      const renewed = await k8ts(['certs', 'renew', 'all', '--data-dir', s.dataDir]);
      assert.equal(renewed.code, 0, renewed.stderr);
      assert.match(
        renewed.stdout,
        /^certificate client-admin renewed\ncertificate client-auth-proxy renewed\ncertificate client-kube-apiserver renewed\ncertificate serving-kube-apiserver renewed\n/,
      );
      assert.notEqual(readFileSync(join(tls, 'client-admin.key'), 'utf8'), before, 'a new key');

      const again = await startServer([], { dir: s.dir, port: s.port });
      try {
        const r = await again.kubectl(['get', 'namespace', 'default', '-o', 'name']);
        assert.equal(r.stdout.trim(), 'namespace/default', r.stderr);
        const kubeconfig = readFileSync(again.kubeconfig, 'utf8');
        const cert = Buffer.from(/client-certificate-data: (\S+)/.exec(kubeconfig)![1], 'base64').toString();
        assert.equal(
          cert,
          readFileSync(join(tls, 'client-admin.crt'), 'utf8'),
          'the kubeconfig carries the renewed certificate',
        );
      } finally {
        await again.stop();
      }
      const ca = await k8ts(['certs', 'renew', 'server-ca', '--data-dir', s.dataDir]);
      assert.equal(ca.code, 1);
      assert.match(ca.stderr, /"server-ca" is a certificate authority: it cannot be renewed/);
      const unknown = await k8ts(['certs', 'renew', 'etcd', '--data-dir', s.dataDir]);
      assert.match(
        unknown.stderr,
        /unknown certificate "etcd"; one of: all, client-admin, client-auth-proxy, client-kube-apiserver, serving-kube-apiserver/,
      );
    } finally {
      cleanup(s);
    }
  });
});
