// --kubelet-certificate-authority: without it the API server does not verify kubelets (upstream's
// default); with it a kubelet whose certificate does not chain to the CA, or does not name the
// address dialled, is refused with Go's text. Real TLS handshakes against a local server.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { createCA, issue } from '../../../src/pki/certs.js';
import {
  kubeletTLS,
  loadKubeletCA,
  verificationFailure,
} from '../../../src/apiserver/pod-streams/kubelet-tls.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const servers: Server[] = [];
after(() => servers.forEach((s) => s.close()));

async function serve(cert: { certPem: string; keyPem: string }): Promise<number> {
  const s = createServer({ cert: cert.certPem, key: cert.keyPem }, (sock) => sock.end());
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
}

function dial(port: number, ca?: string): Promise<{ ok: true } | { ok: false; message: string | undefined }> {
  const client = { certPem: '', keyPem: '', ...(ca !== undefined ? { ca } : {}) };
  const { cert: _c, key: _k, ...tls } = kubeletTLS(client);
  return new Promise((resolve) => {
    const s: TLSSocket = connect({ host: '127.0.0.1', port, ...tls });
    s.once('secureConnect', () => {
      s.destroy();
      resolve({ ok: true });
    });
    s.once('error', (err) => resolve({ ok: false, message: verificationFailure(err, '127.0.0.1') }));
  });
}

describe('kubelet certificate verification', async () => {
  const clusterCA = await createCA('k8ts-server-ca@1');
  const ownCA = await createCA('node-1-ca@1');
  const issued = await issue(clusterCA, {
    commonName: 'system:node:node-1',
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
    validDays: 1,
  });
  const selfSigned = await issue(ownCA, {
    commonName: 'node-1@1',
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
    validDays: 1,
  });
  const wrongIP = await issue(clusterCA, {
    commonName: 'system:node:node-1',
    ipAddresses: ['10.0.0.5', '10.0.0.6'],
    usage: 'server',
    validDays: 1,
  });
  const dnsOnly = await issue(clusterCA, {
    commonName: 'system:node:node-1',
    dnsNames: ['node-1'],
    usage: 'server',
    validDays: 1,
  });

  it('does not verify without the flag (upstream default)', async () => {
    assert.deepEqual(await dial(await serve(selfSigned)), { ok: true });
  });
  it('accepts a certificate of the cluster CA for the dialled IP', async () => {
    assert.deepEqual(await dial(await serve(issued), clusterCA.pem.certPem), { ok: true });
  });
  it('refuses a certificate of another CA: "x509: certificate signed by unknown authority"', async () => {
    assert.deepEqual(await dial(await serve(selfSigned), clusterCA.pem.certPem), {
      ok: false,
      message: 'tls: failed to verify certificate: x509: certificate signed by unknown authority',
    });
    // the kubelet's self-signed chain (certificate then its own CA), as serving-cert.ts writes it
    const chain = { certPem: selfSigned.certPem + ownCA.pem.certPem, keyPem: selfSigned.keyPem };
    assert.deepEqual(await dial(await serve(chain), clusterCA.pem.certPem), {
      ok: false,
      message: 'tls: failed to verify certificate: x509: certificate signed by unknown authority',
    });
  });
  it("refuses a certificate for other addresses with Go's hostname error", async () => {
    assert.deepEqual(await dial(await serve(wrongIP), clusterCA.pem.certPem), {
      ok: false,
      message:
        'tls: failed to verify certificate: x509: certificate is valid for 10.0.0.5, 10.0.0.6, not 127.0.0.1',
    });
    assert.deepEqual(await dial(await serve(dnsOnly), clusterCA.pem.certPem), {
      ok: false,
      message:
        "tls: failed to verify certificate: x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs",
    });
  });
  it('is no verification failure when the connection is refused', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    assert.equal(verificationFailure(err, '127.0.0.1'), undefined);
  });
});

describe('--kubelet-certificate-authority file', () => {
  it('is read when it holds certificates, refused naming the file otherwise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kca-'));
    try {
      const ca = await createCA('k8ts-server-ca@1');
      const good = join(dir, 'ca.crt');
      writeFileSync(good, ca.pem.certPem);
      assert.equal(loadKubeletCA(good), ca.pem.certPem);
      const empty = join(dir, 'empty.crt');
      writeFileSync(empty, 'not a certificate\n');
      assert.throws(() => loadKubeletCA(empty), {
        message: `invalid --kubelet-certificate-authority "${empty}": no certificate found`,
      });
      const broken = join(dir, 'broken.crt');
      writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
      assert.throws(
        () => loadKubeletCA(broken),
        new RegExp(`^Error: invalid --kubelet-certificate-authority "${broken}": `),
      );
      assert.throws(() => loadKubeletCA(join(dir, 'missing.crt')), /ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
