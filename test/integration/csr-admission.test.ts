// The certificates admission plugins seen from the real kubectl, acting as a limited user by
// impersonation (`--as bob`): CertificateApproval (`approve` on `signers`), CertificateSigning
// (`sign` on `signers` for status changes) and CertificateSubjectRestriction (no
// kube-apiserver-client certificates for system:masters, whoever asks).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, startServer, type TestServer } from './harness.js';

function csrPem(dir: string, name: string, subject: string): string {
  const run = (args: string[]) =>
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  run(['genrsa', '-out', `${name}.key`, '2048']);
  run(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`]);
  return readFileSync(join(dir, `${name}.csr`), 'utf8');
}

function manifest(name: string, pem: string, signerName: string, usages = ['client auth']): string {
  return `apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata: {name: ${name}}
spec:
  request: ${Buffer.from(pem).toString('base64')}
  signerName: ${signerName}
  usages: [${usages.map((u) => JSON.stringify(u)).join(', ')}]
`;
}

// bob may read CSRs and write their approval and status, but holds no signer permission yet
const BOB_CSR_ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: csr-operator}
rules:
- apiGroups: [certificates.k8s.io]
  resources: [certificatesigningrequests, certificatesigningrequests/approval, certificatesigningrequests/status]
  verbs: [get, list, watch, create, update, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: bob-csr-operator}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: csr-operator}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: bob}]
`;

function signerGrant(name: string, verb: string, signer: string): string {
  return `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ${name}}
rules:
- apiGroups: [certificates.k8s.io]
  resources: [signers]
  resourceNames: [${JSON.stringify(signer)}]
  verbs: [${verb}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ${name}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${name}}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: bob}]
`;
}

describe('certificates admission plugins', () => {
  let s: TestServer;
  const asBob = (args: string[], input?: string) => s.kubectl(['--as', 'bob', ...args], input);
  const applyAsAdmin = async (yaml: string) => {
    const r = await s.kubectl(['apply', '-f', '-'], yaml);
    assert.equal(r.code, 0, r.stderr);
  };

  before(async () => {
    s = await startServer();
    await applyAsAdmin(BOB_CSR_ROLE);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('CertificateApproval: approving needs approve on signers <signerName>, or on <domain>/*', async () => {
    const pem = csrPem(s.dir, 'ann', '/CN=ann/O=dev');
    let r = await asBob(['create', '-f', '-'], manifest('ann', pem, 'kubernetes.io/kube-apiserver-client'));
    assert.equal(r.code, 0, r.stderr);

    r = await asBob(['certificate', 'approve', 'ann']);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      'Error from server (Forbidden): certificatesigningrequests.certificates.k8s.io "ann" is forbidden: user not permitted to approve requests with signerName "kubernetes.io/kube-apiserver-client"',
    );
    r = await asBob(['certificate', 'deny', 'ann']);
    assert.match(r.stderr, /user not permitted to approve requests with signerName/);
    // nothing changed
    r = await s.kubectl(['get', 'csr', 'ann', '-o', 'jsonpath={.status.conditions}']);
    assert.equal(r.stdout, '');

    // a grant for another signer does not help
    await applyAsAdmin(signerGrant('bob-approve-serving', 'approve', 'kubernetes.io/kubelet-serving'));
    r = await asBob(['certificate', 'approve', 'ann']);
    assert.match(r.stderr, /user not permitted to approve requests with signerName/);

    // the domain wildcard does
    await applyAsAdmin(signerGrant('bob-approve-k8s', 'approve', 'kubernetes.io/*'));
    r = await asBob(['certificate', 'approve', 'ann']);
    assert.equal(r.stdout.trim(), 'certificatesigningrequest.certificates.k8s.io/ann approved', r.stderr);
    r = await s.kubectl(['get', 'csr', 'ann', '-o', 'jsonpath={.status.conditions[0].type}']);
    assert.equal(r.stdout, 'Approved');
  });

  it('CertificateApproval: the exact signer name is enough', async () => {
    const pem = csrPem(s.dir, 'custom', '/CN=custom');
    let r = await asBob(['create', '-f', '-'], manifest('custom', pem, 'example.com/custom'));
    assert.equal(r.code, 0, r.stderr);
    r = await asBob(['certificate', 'approve', 'custom']);
    assert.match(r.stderr, /user not permitted to approve requests with signerName "example.com\/custom"/);
    await applyAsAdmin(signerGrant('bob-approve-custom', 'approve', 'example.com/custom'));
    r = await asBob(['certificate', 'approve', 'custom']);
    assert.equal(r.stdout.trim(), 'certificatesigningrequest.certificates.k8s.io/custom approved', r.stderr);
  });

  it('CertificateSigning: changing status needs sign on signers; other status writes pass', async () => {
    const pem = csrPem(s.dir, 'signme', '/CN=signme');
    let r = await asBob(['create', '-f', '-'], manifest('signme', pem, 'example.com/signer'));
    assert.equal(r.code, 0, r.stderr);
    const failed = JSON.stringify({
      status: {
        conditions: [{ type: 'Failed', status: 'True', reason: 'SignerFailed', message: 'cannot sign' }],
      },
    });
    const patch = ['patch', 'csr', 'signme', '--subresource=status', '--type=merge', '-p', failed];
    r = await asBob(patch);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      'Error from server (Forbidden): certificatesigningrequests.certificates.k8s.io "signme" is forbidden: user not permitted to sign requests with signerName "example.com/signer"',
    );
    // a status write that changes neither certificate nor conditions is not a signing
    r = await asBob([
      'patch',
      'csr',
      'signme',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{}}',
    ]);
    assert.equal(r.code, 0, r.stderr);

    await applyAsAdmin(signerGrant('bob-sign', 'sign', 'example.com/*'));
    r = await asBob(patch);
    assert.equal(r.stdout.trim(), 'certificatesigningrequest.certificates.k8s.io/signme patched', r.stderr);
    r = await s.kubectl(['get', 'csr', 'signme']);
    // upstream's printer: neither Approved nor Denied is Pending, then the other conditions
    assert.match(r.stdout, /signme\s.*\sPending,Failed\n/);
  });

  it('CertificateSubjectRestriction: no kube-apiserver-client CSR for system:masters, not even from an admin', async () => {
    const pem = csrPem(s.dir, 'root', '/CN=mallory/O=dev/O=system:masters');
    let r = await s.kubectl(
      ['create', '-f', '-'],
      manifest('root', pem, 'kubernetes.io/kube-apiserver-client'),
    );
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      'Error from server (Forbidden): error when creating "STDIN": certificatesigningrequests.certificates.k8s.io "root" is forbidden: use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed',
    );
    r = await s.kubectl(['get', 'csr', 'root']);
    assert.match(r.stderr, /NotFound|not found/);
    // the same subject for another signer is that signer's business
    r = await s.kubectl(['create', '-f', '-'], manifest('root', pem, 'example.com/anything'));
    assert.equal(r.code, 0, r.stderr);
  });
});
