// Seed rows of §2.1 (API server and auth) as the seeds type them, checked against what
// upstream v1.31 shows a client.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync as readFile, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup, startServer, type TestServer } from './harness.js';

/** `curl -k -H "Authorization: Bearer $TOKEN" https://127.0.0.1:<port><path>`, as the seed does. */
function curlBearer(port: number, path: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        headers: { Authorization: `Bearer ${token}` },
        rejectUnauthorized: false,
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('seed API rows', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  // API-07: `curl -H "Authorization: Bearer $TOKEN" https://<IP>:<Port>` answers metav1.RootPaths
  it('GET / lists the served paths, sorted, for a bound service account token', async () => {
    let r = await s.kubectl([
      'create',
      'clusterrolebinding',
      'default-cluster-admin',
      '--clusterrole',
      'cluster-admin',
      '--serviceaccount',
      'default:default',
    ]);
    assert.equal(
      r.stdout.trim(),
      'clusterrolebinding.rbac.authorization.k8s.io/default-cluster-admin created',
    );
    r = await s.kubectl(['create', 'token', 'default']);
    assert.equal(r.code, 0, r.stderr);
    const token = r.stdout.trim();
    const root = await curlBearer(s.port, '/', token);
    assert.equal(root.status, 200, root.body);
    assert.match(root.body, /^\{\n {2}"paths": \[\n {4}"\/\.well-known\/openid-configuration",\n/);
    const paths = (JSON.parse(root.body) as { paths: string[] }).paths;
    for (const p of [
      '/api',
      '/api/v1',
      '/apis',
      '/apis/apps',
      '/apis/apps/v1',
      '/healthz',
      '/livez',
      '/readyz',
    ])
      assert.ok(paths.includes(p), `${p} listed`);
    for (const p of ['/version', '/openapi/v2', '/metrics', '/healthz/etcd', '/readyz/informer-sync'])
      assert.ok(paths.includes(p), `${p} listed`);
    assert.deepEqual(paths, [...paths].sort());
  });

  it('GET / is refused to a token without the right (non-resource URL "/")', async () => {
    let r = await s.kubectl(['create', 'serviceaccount', 'plain']);
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl(['create', 'token', 'plain']);
    const token = r.stdout.trim();
    const root = await curlBearer(s.port, '/', token);
    assert.equal(root.status, 403);
    assert.equal(
      (JSON.parse(root.body) as { message: string }).message,
      'forbidden: User "system:serviceaccount:default:plain" cannot get path "/"',
    );
    // the admin's kubectl reads the same index
    r = await s.kubectl(['get', '--raw', '/']);
    assert.match(r.stdout, /"\/apis\/apps\/v1",/);
  });

  // ETC-07: `kubectl -n kube-public edit cm cluster-info` edits the kubeconfig kubeadm publishes
  it('publishes kube-public/cluster-info with the server URL and the cluster CA', async () => {
    const r = await s.kubectl([
      '-n',
      'kube-public',
      'get',
      'cm',
      'cluster-info',
      '-o',
      'jsonpath={.data.kubeconfig}',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const ca = await s.kubectl([
      'config',
      'view',
      '--raw',
      '--minify',
      '-o',
      'jsonpath={.clusters[0].cluster.certificate-authority-data}',
    ]);
    assert.equal(
      r.stdout,
      [
        'apiVersion: v1',
        'clusters:',
        '- cluster:',
        `    certificate-authority-data: ${ca.stdout}`,
        `    server: https://127.0.0.1:${s.port}`,
        '  name: ""',
        'contexts: null',
        'current-context: ""',
        'kind: Config',
        'preferences: {}',
        'users: null',
        '',
      ].join('\n'),
    );
  });

  // API-03: the server sends its serving certificate alone (not the CA), so a client without
  // the CA cannot build the chain: curl says "unable to get local issuer certificate"
  it('sends the serving certificate without the CA (seed API-03)', async () => {
    const chain = await new Promise<number>((resolve, reject) => {
      const sock = connect({ host: '127.0.0.1', port: s.port, rejectUnauthorized: false }, () => {
        let n = 0;
        for (let c = sock.getPeerCertificate(true); c && n < 5; n++) {
          if (!c.issuerCertificate || c.issuerCertificate === c) {
            n++;
            break;
          }
          c = c.issuerCertificate;
        }
        sock.end();
        resolve(n);
      });
      sock.on('error', reject);
    });
    assert.equal(chain, 1, 'one certificate in the chain the server sends');
    const curl = (() => {
      try {
        return execFileSync('curl', ['-sS', `https://127.0.0.1:${s.port}/`], { stdio: 'pipe' }).toString();
      } catch (err) {
        return String((err as { stderr?: Buffer }).stderr ?? err);
      }
    })();
    // (curl is in CI's packages; a machine without it checks the chain only)
    if (!curl.includes('ENOENT'))
      assert.match(curl, /SSL certificate problem: unable to get local issuer certificate/);
  });

  it('still authenticates client certificates of the cluster CA and refuses others (401)', async () => {
    assert.equal((await s.kubectl(['get', 'ns', 'default', '-o', 'name'])).stdout, 'namespace/default\n');
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-foreign-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'k.pem'),
        '-out',
        join(dir, 'c.pem'),
        '-subj',
        '/CN=mallory/O=system:masters',
        '-days',
        '1',
      ],
      { stdio: 'pipe' },
    );
    const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: s.port,
          path: '/api/v1/namespaces',
          rejectUnauthorized: false,
          cert: readFile(join(dir, 'c.pem')),
          key: readFile(join(dir, 'k.pem')),
        },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    rmSync(dir, { recursive: true, force: true });
    assert.equal(r.status, 401, r.body);
  });
});
