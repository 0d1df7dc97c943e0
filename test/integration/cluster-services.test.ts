// The Services every cluster has from its first second, as kubectl shows them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, startServer, type TestServer } from './harness.js';

describe('built-in services', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer(['--disable-controller-manager']);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('kubernetes and kube-dns, with the columns of seed 003', async () => {
    const r = await s.kubectl(['get', 'svc', '--all-namespaces', '--no-headers']);
    assert.match(r.stdout, /^default\s+kubernetes\s+ClusterIP\s+10\.43\.0\.1\s+<none>\s+443\/TCP\s+\S+$/m);
    assert.match(
      r.stdout,
      /^kube-system\s+kube-dns\s+ClusterIP\s+10\.43\.0\.10\s+<none>\s+53\/UDP,53\/TCP,9153\/TCP\s+\S+$/m,
    );
  });

  it('kubectl cluster-info names the control plane and CoreDNS', async () => {
    const r = await s.kubectl(['cluster-info']);
    // kubectl colours the names; what matters is the text
    r.stdout = r.stdout.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
    assert.match(
      r.stdout,
      new RegExp(`Kubernetes control plane is running at https://127\\.0\\.0\\.1:${s.port}`),
    );
    assert.match(
      r.stdout,
      new RegExp(
        `CoreDNS is running at https://127\\.0\\.0\\.1:${s.port}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy`,
      ),
    );
  });
});
