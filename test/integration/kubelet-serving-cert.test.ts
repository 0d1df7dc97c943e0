// POD-36 / CRT-09 / OPS-08: a joined agent whose KubeletConfiguration comes from the cluster
// (ConfigMap kube-system/kubelet-config, key kubelet, copied to <data-dir>/agent/config.yaml)
// with serverTLSBootstrap: true asks for its
// :10250 certificate by a kubernetes.io/kubelet-serving CSR, which stays Pending (never approved
// automatically) while the kubelet serves its self-signed certificate; an API server started
// with --kubelet-certificate-authority refuses that one with Go's message. After `kubectl
// certificate approve` the csrsigning controller issues it from the cluster CA (Approved,Issued),
// the kubelet serves it without a restart, and `kubectl logs` and nodes/proxy go through.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type PeerCertificate } from 'node:tls';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createCA } from '../../src/pki/certs.js';
import { loadKubeconfig, RestClient } from '../../src/client/rest.js';
import { newCertificateRequest } from '../../src/kubelet/certs/cert-manager.js';
import {
  clientTemplate,
  clientUsages,
  csrObject,
  KUBELET_CLIENT_SIGNER,
} from '../../src/kubelet/certs/serving-request.js';
import { writeKeyPair } from '../../src/pki/bundle.js';
import { freePort, ROOT, startServer, type TestServer, eventuallyWithin } from './harness.js';

const eventually = eventuallyWithin(60_000);

const K8TS = join(ROOT, 'bin', 'k8ts');
const NODE = 'serving-1';

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The certificate the kubelet presents, and whether it verifies against ca. */
function presented(port: number, ca: string): Promise<{ authorized: boolean; cert: PeerCertificate }> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, ca, rejectUnauthorized: false });
    s.once('secureConnect', () => {
      const out = { authorized: s.authorized, cert: s.getPeerCertificate() };
      s.destroy();
      resolve(out);
    });
    s.once('error', reject);
  });
}

describe('kubelet serving certificates from the cluster CA', () => {
  let s: TestServer;
  let dir: string;
  let caPem: string;
  let agent: ChildProcess | undefined;
  let agentLog = '';
  let kubeletPort = 0;
  let csrName = '';
  let localCopy = '';
  let copied = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'k8ts-serving-'));
    // the cluster CA made ahead, so that the API server can be told to trust it for kubelets
    const tls = join(dir, 'data', 'server', 'tls');
    mkdirSync(tls, { recursive: true });
    const ca = await createCA(`k8ts-server-ca@${Math.floor(Date.now() / 1000)}`);
    writeKeyPair(tls, 'server-ca', ca.pem);
    caPem = ca.pem.certPem;
    s = await startServer(
      ['--kubelet-certificate-authority', join(tls, 'server-ca.crt'), '--metric-resolution', '1s'],
      {
        dir,
        port: await freePort(),
      },
    );
    const created = await run(K8TS, ['token', 'create', '--join', '--kubeconfig', s.kubeconfig]);
    assert.equal(created.code, 0, created.stderr);
    // OPS-08: the cluster-wide KubeletConfiguration, which every agent without --config reads
    const kubeletConfig =
      'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nserverTLSBootstrap: true\n';
    writeFileSync(join(dir, 'kubelet'), kubeletConfig);
    const cm = await s.kubectl([
      'create',
      'configmap',
      'kubelet-config',
      '-n',
      'kube-system',
      `--from-file=kubelet=${join(dir, 'kubelet')}`,
    ]);
    assert.equal(cm.stdout, 'configmap/kubelet-config created\n', cm.stderr);
    // nodes may read it once the server applied its packaged RBAC (kubeadm:kubelet-config)
    await eventually('RoleBinding kube-system/kubeadm:kubelet-config', async () => {
      const r = await s.kubectl(['get', 'rolebinding', '-n', 'kube-system', 'kubeadm:kubelet-config']);
      return r.code === 0;
    });
    localCopy = join(dir, 'agent', 'agent', 'config.yaml');
    copied = kubeletConfig;
    agent = spawn(
      K8TS,
      [
        'agent',
        '--server',
        `https://127.0.0.1:${s.port}`,
        '--token',
        created.stdout.trim(),
        '--data-dir',
        join(dir, 'agent'),
        '--node-name',
        NODE,
        '--node-ip',
        '127.0.0.1',
        '--runtime',
        'sim',
        '--kubelet-port',
        '0',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    agent.stdout!.on('data', (d: Buffer) => (agentLog += d.toString()));
    agent.stderr!.on('data', (d: Buffer) => (agentLog += d.toString()));
    await eventually(`node ${NODE} Ready`, async () => {
      const r = await s.kubectl([
        'get',
        'node',
        NODE,
        '-o',
        'jsonpath={.status.conditions[?(@.type=="Ready")].status} {.status.daemonEndpoints.kubeletEndpoint.Port}',
      ]);
      const [ready, port] = r.stdout.split(' ');
      if (ready !== 'True' || !Number(port)) return false;
      kubeletPort = Number(port);
      return true;
    });
  });

  after(async () => {
    agent?.kill('SIGTERM');
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a copy of the cluster KubeletConfiguration; a bad --config fails naming the file', async () => {
    assert.equal(readFileSync(localCopy, 'utf8'), copied);
    const bad = join(dir, 'bad-config.yaml');
    writeFileSync(bad, 'apiVersion: v1\nkind: ConfigMap\n');
    const r = await run(K8TS, ['agent', '--kubeconfig', s.kubeconfig, '--config', bad, '--runtime', 'sim']);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(`failed to load kubelet config file ${bad}: kind is "ConfigMap", want KubeletConfiguration`),
    );
  });

  it('posts a kubelet-serving CSR that stays Pending (CRT-09 columns)', async () => {
    const row = await eventually('a kubelet-serving CSR', async () => {
      const r = await s.kubectl(['get', 'csr']);
      return r.stdout.split('\n').find((l) => l.includes('kubernetes.io/kubelet-serving'));
    });
    const got = await s.kubectl(['get', 'csr']);
    assert.match(got.stdout, /^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION\n/);
    const m =
      /^(csr-[a-z0-9]{5})\s+\d+s\s+kubernetes\.io\/kubelet-serving\s+system:node:serving-1\s+<none>\s+Pending$/.exec(
        row,
      );
    assert.ok(m, `row: ${row}\n${agentLog}`);
    csrName = m[1]!;
    // its request, as upstream's kubelet makes it
    const spec = await s.kubectl(['get', 'csr', csrName, '-o', 'jsonpath={.spec.usages} {.spec.groups}']);
    assert.equal(spec.stdout, '["digital signature","server auth"] ["system:nodes","system:authenticated"]');
    // not approved automatically: still Pending when the client CSR of the join was long approved
    const again = await s.kubectl(['get', 'csr', csrName, '-o', 'jsonpath={.status.conditions}']);
    assert.equal(again.stdout, '');
  });

  it('serves its self-signed certificate meanwhile, which --kubelet-certificate-authority refuses', async () => {
    const before = await presented(kubeletPort, caPem);
    assert.equal(before.authorized, false);
    assert.match(String(before.cert.issuer.CN), new RegExp(`^${NODE}-ca@\\d+$`));
    const made = await s.kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'logme', namespace: 'default' },
        spec: { nodeName: NODE, containers: [{ name: 'c', image: 'busybox' }] },
      }),
    );
    assert.equal(made.code, 0, made.stderr);
    await eventually('pod logme Running', async () => {
      const r = await s.kubectl(['get', 'pod', 'logme', '-o', 'jsonpath={.status.phase}']);
      return r.stdout === 'Running';
    });
    const proxied = await s.kubectl(['get', '--raw', `/api/v1/nodes/${NODE}/proxy/healthz`]);
    assert.equal(proxied.code, 1);
    assert.equal(
      proxied.stderr,
      'Error from server (ServiceUnavailable): error trying to reach service: tls: failed to verify certificate: x509: certificate signed by unknown authority\n',
    );
    const exec = await s.kubectl(['exec', 'logme', '--', 'true']);
    assert.equal(exec.code, 1);
    // upstream's UpgradeAwareHandler wraps the failed dial: "error dialing backend: ..."
    assert.equal(
      exec.stderr,
      'Error from server: error dialing backend: tls: failed to verify certificate: x509: certificate signed by unknown authority\n',
    );
    const logs = await s.kubectl(['logs', 'logme']);
    assert.equal(logs.code, 1);
    assert.equal(
      logs.stderr,
      `Error from server: Get "https://127.0.0.1:${kubeletPort}/containerLogs/default/logme/c": tls: failed to verify certificate: x509: certificate signed by unknown authority\n`,
    );
    // the Metrics API's scrapes are refused the same way: a few resolutions later, still no figures
    await new Promise((r) => setTimeout(r, 3_000));
    const top = await s.kubectl(['top', 'node', NODE]);
    assert.equal(top.code, 1, top.stdout);
  });

  it('after approve: Approved,Issued, the kubelet presents a cluster-CA certificate, logs go through', async () => {
    const approved = await s.kubectl(['certificate', 'approve', csrName]);
    assert.equal(approved.code, 0, approved.stderr);
    assert.equal(approved.stdout, `certificatesigningrequest.certificates.k8s.io/${csrName} approved\n`);
    await eventually('CONDITION Approved,Issued', async () => {
      const r = await s.kubectl(['get', 'csr', csrName, '--no-headers']);
      return /\sApproved,Issued$/.test(r.stdout.trim());
    });
    // the same kubelet process (no restart) now serves the issued certificate
    const now = await eventually('the issued certificate served', async () => {
      const p = await presented(kubeletPort, caPem);
      return p.authorized ? p : false;
    });
    assert.equal(now.cert.subject.CN, `system:node:${NODE}`);
    assert.equal(now.cert.subject.O, 'system:nodes');
    assert.match(String(now.cert.issuer.CN), /^k8ts-server-ca@\d+$/);
    assert.equal(now.cert.subjectaltname, `DNS:${NODE}, IP Address:127.0.0.1`);
    assert.equal(agent!.exitCode, null);
    const logs = await s.kubectl(['logs', 'logme']);
    assert.equal(logs.code, 0, logs.stderr);
    const proxied = await s.kubectl(['get', '--raw', `/api/v1/nodes/${NODE}/proxy/healthz`]);
    assert.deepEqual([proxied.code, proxied.stdout], [0, 'ok']);
    await eventually('kubectl top node', async () => (await s.kubectl(['top', 'node', NODE])).code === 0);
    assert.ok(existsSync(join(dir, 'agent', 'agent', 'pki', 'kubelet-server-current.pem')));
  });

  it('a client certificate renewal as the node (rotateCertificates) is approved as selfnodeclient', async () => {
    // what the agent's client certificate manager posts, with the agent's own credentials
    const node = new RestClient(loadKubeconfig(join(dir, 'agent', 'agent', 'kubelet.kubeconfig')));
    try {
      const { csrPem } = await newCertificateRequest(clientTemplate(NODE));
      const made = await node.request<{ metadata: { name: string } }>(
        'POST',
        '/apis/certificates.k8s.io/v1/certificatesigningrequests',
        csrObject(KUBELET_CLIENT_SIGNER, csrPem, clientUsages('ECDSA')),
      );
      const name = made.metadata.name;
      assert.match(name, /^csr-[a-z0-9]{5}$/);
      await eventually('the renewal Approved,Issued', async () => {
        const r = await s.kubectl(['get', 'csr', name, '--no-headers']);
        return /\s+kubernetes\.io\/kube-apiserver-client-kubelet\s+system:node:serving-1\s+<none>\s+Approved,Issued$/.test(
          r.stdout.trim(),
        );
      });
      const why = await s.kubectl(['get', 'csr', name, '-o', 'jsonpath={.status.conditions[0].reason}']);
      assert.equal(why.stdout, 'AutoApproved');
    } finally {
      node.close();
    }
  });
});
