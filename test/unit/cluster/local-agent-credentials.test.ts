// The server's own agent's identities: three client certificates from the cluster CA with
// their kubeconfigs (0600), kept across restarts, issued again for another node name or CA.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCA, issue } from '../../../src/pki/certs.js';
import { writeKeyPair } from '../../../src/pki/bundle.js';
import { clientSubjectOf, reusableClientCert } from '../../../src/pki/client-cert.js';
import { ensureLocalAgentCredentials } from '../../../src/cluster/local-agent-credentials.js';
import { loadKubeconfig } from '../../../src/client/rest.js';
import { k3sControllerRBACManifest } from '../../../src/deploy/k3s-controller.js';
import { parseManifest } from '../../../src/deploy/manifests.js';

async function dataDirWithCA(): Promise<{ dataDir: string; tlsDir: string; caPem: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-creds-'));
  const tlsDir = join(dataDir, 'server', 'tls');
  mkdirSync(tlsDir, { recursive: true });
  const ca = await createCA('k8ts-server-ca@1');
  writeKeyPair(tlsDir, 'server-ca', ca.pem);
  return { dataDir, tlsDir, caPem: ca.pem.certPem };
}

const SERVER = 'https://127.0.0.1:6443';

describe('local agent credentials', () => {
  it('issues system:node:<name> in system:nodes, system:kube-proxy and system:k3s-controller', async () => {
    const { dataDir, tlsDir, caPem } = await dataDirWithCA();
    try {
      const kc = await ensureLocalAgentCredentials({ dataDir, tlsDir, nodeName: 'n1', server: SERVER });
      assert.deepEqual(kc, {
        kubelet: join(dataDir, 'agent', 'kubelet.kubeconfig'),
        kubeProxy: join(dataDir, 'agent', 'kubeproxy.kubeconfig'),
        controller: join(dataDir, 'agent', 'k3scontroller.kubeconfig'),
      });
      const users = [kc.kubelet, kc.kubeProxy, kc.controller].map((p) => {
        assert.equal(statSync(p).mode & 0o777, 0o600, p);
        const cfg = loadKubeconfig(p);
        assert.equal(cfg.server, SERVER);
        assert.equal(cfg.ca, caPem);
        return clientSubjectOf(cfg.cert!);
      });
      assert.deepEqual(users, [
        { commonName: 'system:node:n1', organizations: ['system:nodes'] },
        { commonName: 'system:kube-proxy', organizations: [] },
        { commonName: 'system:k3s-controller', organizations: [] },
      ]);
      assert.equal(statSync(join(dataDir, 'agent', 'client-kubelet.key')).mode & 0o777, 0o600);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('keeps the certificates on restart; another node name or CA issues again', async () => {
    const { dataDir, tlsDir } = await dataDirWithCA();
    try {
      const cert = (f: string) => readFileSync(join(dataDir, 'agent', `${f}.crt`), 'utf8');
      await ensureLocalAgentCredentials({ dataDir, tlsDir, nodeName: 'n1', server: SERVER });
      const first = ['client-kubelet', 'client-kube-proxy', 'client-k3s-controller'].map(cert);
      await ensureLocalAgentCredentials({ dataDir, tlsDir, nodeName: 'n1', server: SERVER });
      assert.deepEqual(['client-kubelet', 'client-kube-proxy', 'client-k3s-controller'].map(cert), first);
      await ensureLocalAgentCredentials({ dataDir, tlsDir, nodeName: 'n2', server: SERVER });
      assert.notEqual(cert('client-kubelet'), first[0]);
      assert.equal(clientSubjectOf(cert('client-kubelet')).commonName, 'system:node:n2');
      assert.equal(cert('client-kube-proxy'), first[1]);
      // a new cluster CA: nothing the old one signed is kept
      writeKeyPair(tlsDir, 'server-ca', (await createCA('k8ts-server-ca@2')).pem);
      await ensureLocalAgentCredentials({ dataDir, tlsDir, nodeName: 'n2', server: SERVER });
      assert.notEqual(cert('client-kube-proxy'), first[1]);
      assert.notEqual(cert('client-k3s-controller'), first[2]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('does not reuse a certificate that expires within a day', async () => {
    const ca = await createCA('ca');
    const subject = { commonName: 'system:kube-proxy', organizations: [] };
    const short = await issue(ca, { ...subject, usage: 'client', validDays: 0.5 });
    assert.equal(await reusableClientCert(short.certPem, ca.pem.certPem, subject), false);
    const long = await issue(ca, { ...subject, usage: 'client', validDays: 30 });
    assert.equal(await reusableClientCert(long.certPem, ca.pem.certPem, subject), true);
    assert.equal(
      await reusableClientCert(long.certPem, ca.pem.certPem, {
        commonName: 'system:kube-proxy',
        organizations: ['x'],
      }),
      false,
    );
    assert.equal(await reusableClientCert('garbage', ca.pem.certPem, subject), false);
  });

  it("binds k3s's system:k3s-controller rules to the user", () => {
    const [role, binding] = parseManifest(k3sControllerRBACManifest(), 'rolebindings.yaml') as [
      { kind: string; metadata: { name: string }; rules: unknown[] },
      { kind: string; roleRef: { name: string }; subjects: { kind: string; name: string }[] },
    ];
    assert.equal(role.kind, 'ClusterRole');
    assert.equal(role.metadata.name, 'system:k3s-controller');
    assert.deepEqual(role.rules, [
      { apiGroups: [''], resources: ['nodes'], verbs: ['get'] },
      { apiGroups: [''], resources: ['namespaces'], verbs: ['list', 'watch'] },
      { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['endpoints', 'pods'], verbs: ['list', 'get', 'watch'] },
    ]);
    assert.equal(binding.kind, 'ClusterRoleBinding');
    assert.equal(binding.roleRef.name, 'system:k3s-controller');
    assert.deepEqual(binding.subjects, [
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:k3s-controller' },
    ]);
  });
});
