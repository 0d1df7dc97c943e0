// The join flow of an agent (kubeadm/k3s TLS bootstrap): a bootstrap token from
// `k8ts token create` authenticates as system:bootstrap:<id>; the kubelet client CSR it
// makes is approved automatically and issued; the certificate then logs in as the node.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, KUBECTL, ROOT, startServer, type TestServer } from './harness.js';

let s: TestServer;

function run(
  cmd: string,
  args: string[],
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === 'number'
          ? (err as { code: number }).code
          : 1
        : 0;
      resolve({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

function kubeconfig(name: string, user: string): string {
  const path = join(s.dir, `${name}.kubeconfig`);
  const ca = Buffer.from(readFileSync(join(s.dataDir, 'server', 'tls', 'server-ca.crt'))).toString('base64');
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
clusters: [{name: k8ts, cluster: {server: "https://127.0.0.1:${s.port}", certificate-authority-data: ${ca}}}]
users: [{name: ${name}, user: ${user}}]
contexts: [{name: ${name}, context: {cluster: k8ts, user: ${name}}}]
current-context: ${name}
`,
  );
  return path;
}

before(async () => {
  s = await startServer();
});

after(async () => {
  await s.stop();
  cleanup(s);
});

describe('joining with a bootstrap token', () => {
  it("the bootstrapper's kubelet CSR is approved and issued, and the certificate is the node", async () => {
    const created = await run(join(ROOT, 'bin', 'k8ts'), ['token', 'create', '--kubeconfig', s.kubeconfig]);
    assert.equal(created.code, 0, created.stderr);
    const bootstrap = kubeconfig('bootstrap', `{token: ${created.stdout.trim()}}`);
    execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'kubelet.key'], {
      cwd: s.dir,
    });
    execFileSync(
      'openssl',
      [
        'req',
        '-new',
        '-key',
        'kubelet.key',
        '-subj',
        '/O=system:nodes/CN=system:node:worker-1',
        '-out',
        'kubelet.csr',
      ],
      { cwd: s.dir },
    );
    const csr = `apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata:
  name: node-csr-worker-1
spec:
  request: ${readFileSync(join(s.dir, 'kubelet.csr')).toString('base64')}
  signerName: kubernetes.io/kube-apiserver-client-kubelet
  usages: ["digital signature", "client auth"]
`;
    const made = await run(KUBECTL, ['--kubeconfig', bootstrap, 'create', '-f', '-'], csr);
    assert.equal(made.code, 0, made.stderr);
    const requestor = await s.kubectl([
      'get',
      'csr',
      'node-csr-worker-1',
      '-o',
      'jsonpath={.spec.username} {.spec.groups}',
    ]);
    assert.match(
      requestor.stdout,
      /^system:bootstrap:[a-z0-9]{6} \["system:bootstrappers","system:bootstrappers:k8ts:default-node-token","system:authenticated"\]$/,
    );
    const deadline = Date.now() + 20_000;
    let cert = '';
    while (!cert) {
      assert.ok(Date.now() < deadline, 'the CSR was not approved and issued');
      await new Promise((r) => setTimeout(r, 200));
      cert = (
        await run(KUBECTL, [
          '--kubeconfig',
          bootstrap,
          'get',
          'csr',
          'node-csr-worker-1',
          '-o',
          'jsonpath={.status.certificate}',
        ])
      ).stdout;
    }
    const key = readFileSync(join(s.dir, 'kubelet.key')).toString('base64');
    const node = kubeconfig('node', `{client-certificate-data: ${cert}, client-key-data: ${key}}`);
    const who = await run(KUBECTL, ['--kubeconfig', node, 'auth', 'whoami']);
    assert.equal(who.code, 0, who.stderr);
    assert.equal(
      who.stdout,
      'ATTRIBUTE   VALUE\nUsername    system:node:worker-1\nGroups      [system:nodes system:authenticated]\n',
    );
  });
});
