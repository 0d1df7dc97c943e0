// The serviceaccount controller and the root-ca-cert-publisher against a real server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cleanup, startServer, type TestServer } from './harness.js';
import { apiOk, eventually, kubectlOk } from './controllers-util.js';

const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

describe('serviceaccount controller and root CA publisher', () => {
  let s: TestServer;
  let ca: string;
  before(async () => {
    s = await startServer();
    const cfg = readFileSync(s.kubeconfig, 'utf8');
    ca = Buffer.from(/certificate-authority-data: (\S+)/.exec(cfg)![1], 'base64').toString();
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('gives a new namespace its default ServiceAccount', async () => {
    await kubectlOk(s, ['create', 'namespace', 'sa1']);
    const out = await eventually(s, ['-n', 'sa1', 'get', 'sa', 'default', '--no-headers'], /^default\s+0\s/);
    assert.match(out, /^default/);
  });

  it('recreates a deleted default ServiceAccount with a new uid', async () => {
    const before = await eventually(
      s,
      ['-n', 'sa1', 'get', 'sa', 'default', '-o', 'jsonpath={.metadata.uid}'],
      /\S/,
    );
    await kubectlOk(s, ['-n', 'sa1', 'delete', 'sa', 'default']);
    await eventually(
      s,
      ['-n', 'sa1', 'get', 'sa', 'default', '-o', 'jsonpath={.metadata.uid}'],
      (uid) => uid !== '' && uid !== before,
    );
  });

  it('gives the namespaces made at start their default ServiceAccount', async () => {
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease'])
      await eventually(s, ['-n', ns, 'get', 'sa', 'default', '-o', 'name'], /^serviceaccount\/default$/m);
  });

  it('publishes kube-root-ca.crt with the cluster CA and upstream description', async () => {
    await eventually(
      s,
      ['-n', 'sa1', 'get', 'configmap', 'kube-root-ca.crt', '-o', 'name'],
      /kube-root-ca.crt/,
    );
    const cm = await apiOk<{
      data: Record<string, string>;
      metadata: { annotations: Record<string, string> };
    }>(s, 'GET', '/api/v1/namespaces/sa1/configmaps/kube-root-ca.crt');
    assert.deepEqual(cm.data, { 'ca.crt': ca });
    assert.equal(cm.metadata.annotations['kubernetes.io/description'], DESCRIPTION);
  });

  it('restores kube-root-ca.crt when it is changed or deleted', async () => {
    await kubectlOk(s, [
      '-n',
      'sa1',
      'patch',
      'configmap',
      'kube-root-ca.crt',
      '--type=merge',
      '-p',
      '{"data":{"ca.crt":"tampered","extra":"x"}}',
    ]);
    await eventually(s, ['-n', 'sa1', 'get', 'configmap', 'kube-root-ca.crt', '-o', 'json'], (out) => {
      const d = (JSON.parse(out) as { data: Record<string, string> }).data;
      return d['ca.crt'] === ca && !('extra' in d);
    });
    await kubectlOk(s, ['-n', 'sa1', 'delete', 'configmap', 'kube-root-ca.crt']);
    await eventually(
      s,
      ['-n', 'sa1', 'get', 'configmap', 'kube-root-ca.crt', '-o', 'name'],
      /kube-root-ca.crt/,
    );
  });

  it('does not hold up deleting a namespace (nothing recreated while it terminates)', async () => {
    await kubectlOk(s, ['create', 'namespace', 'sa2']);
    await eventually(s, ['-n', 'sa2', 'get', 'sa', 'default', '-o', 'name'], /default/);
    await kubectlOk(s, ['delete', 'namespace', 'sa2']);
    const r = await s.kubectl(['get', 'namespace', 'sa2']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /namespaces "sa2" not found/);
  });

  it('keeps a deleted namespace Terminating for the grace period, refusing new content', async () => {
    await kubectlOk(s, ['create', 'namespace', 'sa3']);
    await kubectlOk(s, ['delete', 'namespace', 'sa3', '--wait=false']);
    // upstream's namespace controller waits 5 s before it cleans up (namespaceDeletionGracePeriod)
    const phase = await s.kubectl(['get', 'namespace', 'sa3', '--no-headers']);
    assert.match(phase.stdout, /^sa3 +Terminating/);
    const r = await s.kubectl(['-n', 'sa3', 'create', 'configmap', 'late', '--from-literal=a=b']);
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /configmaps "late" is forbidden: unable to create new content in namespace sa3 because it is being terminated/,
    );
  });
});
