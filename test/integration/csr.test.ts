// The Certificates API with openssl and the real kubectl (seed 004 §3.5, CRT-09): a user's key
// and CSR, `kubectl certificate approve|deny`, the built-in signers issuing from the cluster CA,
// and the issued certificate working in a kubeconfig.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, KUBECTL, startServer, type TestServer } from './harness.js';

function openssl(args: string[], cwd: string): string {
  return execFileSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function csrManifest(
  name: string,
  request: string,
  signerName: string,
  usages: string[],
  extra = '',
): string {
  return `apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata:
  name: ${name}
spec:
  request: ${Buffer.from(request).toString('base64')}
  signerName: ${signerName}
  usages: [${usages.map((u) => JSON.stringify(u)).join(', ')}]
${extra}`;
}

async function waitFor(s: TestServer, name: string, want: RegExp): Promise<string> {
  const deadline = Date.now() + 20_000;
  let last = '';
  for (;;) {
    const r = await s.kubectl(['get', 'csr', name, '--no-headers']);
    last = r.stdout + r.stderr;
    if (want.test(last)) return last;
    if (Date.now() > deadline) throw new Error(`csr ${name}: ${last}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

describe('certificate signing requests', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('openssl req → CSR → approve → Approved,Issued → the certificate logs in as the user', async () => {
    openssl(['genrsa', '-out', 'jane.key', '2048'], s.dir);
    openssl(['req', '-new', '-key', 'jane.key', '-subj', '/CN=jane/O=dev', '-out', 'jane.csr'], s.dir);
    const request = readFileSync(join(s.dir, 'jane.csr'), 'utf8');
    const created = await s.kubectl(
      ['apply', '-f', '-'],
      csrManifest(
        'jane',
        request,
        'kubernetes.io/kube-apiserver-client',
        ['client auth'],
        '  expirationSeconds: 86400\n',
      ),
    );
    assert.equal(
      created.stdout.trim(),
      'certificatesigningrequest.certificates.k8s.io/jane created',
      created.stderr,
    );

    const pending = await s.kubectl(['get', 'csr', 'jane']);
    assert.match(pending.stdout, /^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION\n/);
    assert.match(
      pending.stdout,
      /jane\s+\S+\s+kubernetes\.io\/kube-apiserver-client\s+system:admin\s+24h\s+Pending\n/,
    );

    const approved = await s.kubectl(['certificate', 'approve', 'jane']);
    assert.equal(
      approved.stdout.trim(),
      'certificatesigningrequest.certificates.k8s.io/jane approved',
      approved.stderr,
    );
    await waitFor(s, 'jane', /Approved,Issued/);
    const cond = await s.kubectl([
      'get',
      'csr',
      'jane',
      '-o',
      'jsonpath={.status.conditions[0].type} {.status.conditions[0].reason}',
    ]);
    assert.equal(cond.stdout, 'Approved KubectlApprove');

    const cert = await s.kubectl(['get', 'csr', 'jane', '-o', 'jsonpath={.status.certificate}']);
    writeFileSync(join(s.dir, 'jane.crt'), Buffer.from(cert.stdout, 'base64'));
    const text = openssl(
      ['x509', '-in', 'jane.crt', '-noout', '-subject', '-startdate', '-enddate', '-ext', 'extendedKeyUsage'],
      s.dir,
    );
    assert.match(text, /subject=CN\s?=\s?jane, O\s?=\s?dev/);
    assert.match(text, /TLS Web Client Authentication/);
    const notAfter = Date.parse(/notAfter=(.*)/.exec(text)![1]);
    const hours = (notAfter - Date.now()) / 3600e3;
    assert.ok(hours > 23.5 && hours <= 24, `valid for ${hours} h, asked 24 h`);
    writeFileSync(join(s.dir, 'ca.crt'), readFileSync(join(s.dataDir, 'server', 'tls', 'server-ca.crt')));
    assert.match(openssl(['verify', '-CAfile', 'ca.crt', 'jane.crt'], s.dir), /jane\.crt: OK/);

    // the seed's kubeconfig for the new user
    const kc = join(s.dir, 'jane.kubeconfig');
    const server = /server: (\S+)/.exec(readFileSync(s.kubeconfig, 'utf8'))![1];
    const k = (args: string[]) => execFileSync(KUBECTL, ['--kubeconfig', kc, ...args], { encoding: 'utf8' });
    k([
      'config',
      'set-cluster',
      'k8ts',
      `--server=${server}`,
      '--certificate-authority',
      join(s.dir, 'ca.crt'),
      '--embed-certs',
    ]);
    k([
      'config',
      'set-credentials',
      'jane',
      '--client-key',
      join(s.dir, 'jane.key'),
      '--client-certificate',
      join(s.dir, 'jane.crt'),
      '--embed-certs',
    ]);
    k(['config', 'set-context', 'jane', '--cluster=k8ts', '--user=jane']);
    k(['config', 'use-context', 'jane']);
    let answer: string;
    try {
      answer = k(['get', 'namespace', 'default', '-o', 'name']);
    } catch (err) {
      answer = String((err as { stderr?: string }).stderr);
    }
    // authenticated as jane: either allowed, or refused by authorization in jane's name, never 401
    assert.ok(/namespace\/default/.test(answer) || /User "jane"/.test(answer), answer);
    assert.doesNotMatch(answer, /Unauthorized|must be logged in/);
  });

  it('kubectl certificate deny marks it Denied; approving it then is refused', async () => {
    openssl(
      [
        'req',
        '-new',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'bob.key',
        '-subj',
        '/CN=bob',
        '-out',
        'bob.csr',
      ],
      s.dir,
    );
    const request = readFileSync(join(s.dir, 'bob.csr'), 'utf8');
    await s.kubectl(
      ['create', '-f', '-'],
      csrManifest('bob', request, 'kubernetes.io/kube-apiserver-client', ['client auth']),
    );
    const denied = await s.kubectl(['certificate', 'deny', 'bob']);
    assert.equal(
      denied.stdout.trim(),
      'certificatesigningrequest.certificates.k8s.io/bob denied',
      denied.stderr,
    );
    await waitFor(s, 'bob', /Denied/);
    const again = await s.kubectl(['certificate', 'approve', 'bob']);
    assert.equal(again.code, 1);
    assert.equal(again.stderr.trim(), 'error: certificate signing request "bob" is already Denied');
    // kubectl stops there; the API server refuses it too
    const current = JSON.parse(
      (await s.api('GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests/bob')).body,
    ) as {
      status: { conditions: object[] };
    };
    current.status.conditions.push({ type: 'Approved', status: 'True', reason: 'Sneaky' });
    const put = await s.api(
      'PUT',
      '/apis/certificates.k8s.io/v1/certificatesigningrequests/bob/approval',
      JSON.stringify(current),
    );
    assert.equal(put.status, 422);
    assert.match(
      (JSON.parse(put.body) as { message: string }).message,
      /"bob" is invalid: status.conditions\[1\].type: Invalid value: "Approved": Approved and Denied conditions are mutually exclusive$/,
    );
    // and /status may not add approval conditions at all
    const viaStatus = await s.api(
      'PUT',
      '/apis/certificates.k8s.io/v1/certificatesigningrequests/bob/status',
      JSON.stringify(current),
    );
    assert.equal(viaStatus.status, 422);
    assert.match(
      viaStatus.body,
      /status.conditions: Forbidden: updates may not add a condition of type \\"Approved\\"/,
    );
    const cert = await s.kubectl(['get', 'csr', 'bob', '-o', 'jsonpath={.status.certificate}']);
    assert.equal(cert.stdout, '', 'a denied request is never signed');
  });

  it('PATCH on /approval sets conditions only', async () => {
    const request = readFileSync(join(s.dir, 'jane.csr'), 'utf8');
    await s.kubectl(
      ['create', '-f', '-'],
      csrManifest('carol', request, 'kubernetes.io/kube-apiserver-client', ['client auth']),
    );
    const patched = await s.api(
      'PATCH',
      '/apis/certificates.k8s.io/v1/certificatesigningrequests/carol/approval',
      JSON.stringify({
        spec: { signerName: 'example.com/other' },
        status: {
          conditions: [{ type: 'Approved', status: 'True', reason: 'Patched', message: 'by PATCH' }],
        },
      }),
      { 'Content-Type': 'application/merge-patch+json' },
    );
    assert.equal(patched.status, 200, patched.body);
    await waitFor(s, 'carol', /kubernetes\.io\/kube-apiserver-client\s.*Approved,Issued/);
  });

  it('a kubelet client request is signed only when it is one (O=system:nodes, CN=system:node:<name>)', async () => {
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'node.key'], s.dir);
    openssl(
      [
        'req',
        '-new',
        '-key',
        'node.key',
        '-subj',
        '/O=system:nodes/CN=system:node:worker-1',
        '-out',
        'node.csr',
      ],
      s.dir,
    );
    openssl(
      ['req', '-new', '-key', 'node.key', '-subj', '/O=devs/CN=system:node:worker-2', '-out', 'bad.csr'],
      s.dir,
    );
    const usages = ['digital signature', 'client auth'];
    const good = readFileSync(join(s.dir, 'node.csr'), 'utf8');
    const bad = readFileSync(join(s.dir, 'bad.csr'), 'utf8');
    await s.kubectl(
      ['create', '-f', '-'],
      csrManifest('node-1', good, 'kubernetes.io/kube-apiserver-client-kubelet', usages),
    );
    await s.kubectl(
      ['create', '-f', '-'],
      csrManifest('node-2', bad, 'kubernetes.io/kube-apiserver-client-kubelet', usages),
    );
    // made by system:admin, not a bootstrapper or the node itself: not auto-approved
    await new Promise((r) => setTimeout(r, 1000));
    assert.match((await s.kubectl(['get', 'csr', 'node-1', '--no-headers'])).stdout, /Pending/);
    await s.kubectl(['certificate', 'approve', 'node-1', 'node-2']);
    await waitFor(s, 'node-1', /Approved,Issued/);
    await waitFor(s, 'node-2', /Approved,Failed/);
    const failed = await s.kubectl([
      'get',
      'csr',
      'node-2',
      '-o',
      'jsonpath={.status.conditions[?(@.type=="Failed")].reason}: {.status.conditions[?(@.type=="Failed")].message}',
    ]);
    assert.equal(failed.stdout, 'SignerValidationFailure: subject organization is not system:nodes');
  });

  it('refuses bad requests with upstream messages and stores nothing', async () => {
    const request = readFileSync(join(s.dir, 'jane.csr'), 'utf8');
    const short = await s.kubectl(
      ['create', '-f', '-'],
      csrManifest(
        'short',
        request,
        'kubernetes.io/kube-apiserver-client',
        ['client auth'],
        '  expirationSeconds: 599\n',
      ),
    );
    assert.match(
      short.stderr,
      /The CertificateSigningRequest "short" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 600 seconds \(10 minutes\)/,
    );
    const notCSR = await s.kubectl(
      ['create', '-f', '-'],
      csrManifest(
        'notcsr',
        readFileSync(join(s.dir, 'jane.crt'), 'utf8'),
        'kubernetes.io/kube-apiserver-client',
        ['client auth'],
      ),
    );
    assert.match(
      notCSR.stderr,
      /spec.request: Invalid value: \[\]byte\{0x2d, 0x2d, .*\}: PEM block type must be CERTIFICATE REQUEST/,
    );
    const badSigner = await s.kubectl(
      ['create', '-f', '-'],
      csrManifest('signer', request, 'example', ['client auth']),
    );
    assert.match(
      badSigner.stderr,
      /spec.signerName: Invalid value: "example": must be a fully qualified domain and path of the form 'example.com\/signer-name'/,
    );
    const badUsage = await s.kubectl(
      ['create', '-f', '-'],
      csrManifest('usage', request, 'example.com/x', ['client auth', 'client auth', 'flying']),
    );
    assert.match(badUsage.stderr, /spec.usages\[1\]: Duplicate value: "client auth"/);
    assert.match(
      badUsage.stderr,
      /spec.usages\[2\]: Unsupported value: "flying": supported values: "any", "cert sign"/,
    );
    const list = await s.kubectl(['get', 'csr', '-o', 'name']);
    assert.doesNotMatch(list.stdout, /short|notcsr|signer|usage/);
  });
});
