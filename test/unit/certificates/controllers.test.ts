// The csrapproving and csrsigning reconcilers against a fake API (what they PUT, and where).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type { Informer } from '../../../src/client/informer.js';
import type { RestClient } from '../../../src/client/rest.js';
import { CSRApprovingController } from '../../../src/controllers/certificates/approver.js';
import { CSRSigningController } from '../../../src/controllers/certificates/signer.js';
import type { CSRObject } from '../../../src/controllers/certificates/conditions.js';
import { createCA } from '../../../src/pki/certs.js';
import { csrObject, csrPem } from './fixtures.js';

function fakes(objects: CSRObject[]) {
  const puts: { path: string; body: CSRObject }[] = [];
  const client = {
    request: (method: string, path: string, body: CSRObject) => {
      assert.equal(method, 'PUT');
      puts.push({ path, body });
      return Promise.resolve(body);
    },
  } as unknown as RestClient;
  const byName = new Map(objects.map((o) => [o.metadata.name!, o]));
  const informer = { addHandlers: () => undefined, get: (k: string) => byName.get(k) } as unknown as Informer;
  return { client, informer, puts };
}

const KUBELET = 'kubernetes.io/kube-apiserver-client-kubelet';
const usages = ['digital signature', 'key encipherment', 'client auth'];

test('a bootstrapper’s kubelet client CSR is approved with reason AutoApproved via /approval', async () => {
  const pem = await csrPem('O=system:nodes, CN=system:node:worker-1');
  const csr = csrObject('node-csr-1', pem, {
    signerName: KUBELET,
    usages,
    username: 'system:bootstrap:abcdef',
    groups: ['system:bootstrappers', 'system:authenticated'],
  });
  const f = fakes([csr]);
  await new CSRApprovingController(f.client, f.informer).reconcile('node-csr-1');
  assert.equal(f.puts.length, 1);
  assert.equal(f.puts[0].path, '/apis/certificates.k8s.io/v1/certificatesigningrequests/node-csr-1/approval');
  assert.deepEqual(f.puts[0].body.status?.conditions, [
    {
      type: 'Approved',
      status: 'True',
      reason: 'AutoApproved',
      message: 'Auto approving kubelet client certificate after SubjectAccessReview.',
    },
  ]);
});

test('a node renewing its own client certificate is approved as selfnodeclient', async () => {
  const pem = await csrPem('O=system:nodes, CN=system:node:worker-1');
  const csr = csrObject('renew', pem, {
    signerName: KUBELET,
    usages,
    username: 'system:node:worker-1',
    groups: ['system:nodes'],
  });
  const f = fakes([csr]);
  await new CSRApprovingController(f.client, f.informer).reconcile('renew');
  assert.equal(
    f.puts[0].body.status?.conditions?.[0].message,
    'Auto approving self kubelet client certificate after SubjectAccessReview.',
  );
});

test('not auto-approved: other requestors, other signers, non-kubelet subjects, decided requests', async () => {
  const node = await csrPem('O=system:nodes, CN=system:node:worker-1');
  const cases = [
    csrObject('admin', node, {
      signerName: KUBELET,
      usages,
      username: 'system:admin',
      groups: ['system:masters'],
    }),
    csrObject('serving', node, {
      signerName: 'kubernetes.io/kubelet-serving',
      usages,
      groups: ['system:nodes'],
    }),
    csrObject('other-node', node, {
      signerName: KUBELET,
      usages,
      username: 'system:node:worker-2',
      groups: ['system:nodes'],
    }),
    csrObject('not-kubelet', await csrPem('O=devs, CN=jane'), {
      signerName: KUBELET,
      usages,
      groups: ['system:bootstrappers'],
    }),
    csrObject(
      'denied',
      node,
      { signerName: KUBELET, usages, groups: ['system:bootstrappers'] },
      {
        conditions: [{ type: 'Denied', status: 'True' }],
      },
    ),
  ];
  const f = fakes(cases);
  const c = new CSRApprovingController(f.client, f.informer);
  for (const o of cases) await c.reconcile(o.metadata.name!);
  assert.deepEqual(f.puts, []);
});

test('the signer issues from the CA for min(expirationSeconds, duration) and writes /status', async () => {
  const ca = await createCA('test-ca');
  const pem = await csrPem('CN=jane, O=dev');
  const approved = { conditions: [{ type: 'Approved', status: 'True' }] };
  const csr = csrObject('jane', pem, { expirationSeconds: 3600 }, approved);
  const f = fakes([
    csr,
    csrObject('pending', pem, {}),
    csrObject('other', pem, { signerName: 'example.com/x' }, approved),
  ]);
  const signer = new CSRSigningController(f.client, f.informer, Promise.resolve(ca), 8760 * 3600e3);
  for (const n of ['jane', 'pending', 'other']) await signer.reconcile(n);
  assert.equal(f.puts.length, 1, 'only the approved request of a built-in signer');
  assert.equal(f.puts[0].path, '/apis/certificates.k8s.io/v1/certificatesigningrequests/jane/status');
  const cert = new X509Certificate(Buffer.from(f.puts[0].body.status!.certificate!, 'base64'));
  assert.match(cert.subject, /CN=jane/);
  assert.ok(cert.checkIssued(new X509Certificate(ca.pem.certPem)));
  const validMs = Date.parse(cert.validTo) - Date.now();
  assert.ok(validMs <= 3600e3 && validMs > 3500e3, `valid for ${validMs} ms`);
});

test('the signer records a refusal as Failed/SignerValidationFailure', async () => {
  const ca = await createCA('test-ca');
  const csr = csrObject(
    'bad',
    await csrPem('CN=jane'),
    { signerName: KUBELET, usages },
    { conditions: [{ type: 'Approved', status: 'True' }] },
  );
  const f = fakes([csr]);
  await new CSRSigningController(f.client, f.informer, Promise.resolve(ca), 3600e3).reconcile('bad');
  const failed = f.puts[0].body.status?.conditions?.[1];
  assert.equal(failed?.type, 'Failed');
  assert.equal(failed?.reason, 'SignerValidationFailure');
  assert.equal(failed?.message, 'subject organization is not system:nodes');
  assert.equal(f.puts[0].body.status?.certificate, undefined);
});
