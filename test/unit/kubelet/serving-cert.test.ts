// The kubelet's serving certificate bootstrap (serverTLSBootstrap): what the CSR asks for, as
// upstream's kubelet (CN=system:node:<name>, O=system:nodes, SANs from the node's addresses,
// usages by key type, signer kubernetes.io/kubelet-serving, generateName csr-), when it rotates
// (70-90 % of the lifetime), the KubeletConfiguration fields, and the manager's whole loop
// against a stand-in API (pending → issued → served, kept on disk for the next start).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  clientTemplate,
  clientUsages,
  csrPhase,
  rotationDeadline,
  sansMatch,
  servingCSRObject,
  servingTemplate,
  servingUsages,
} from '../../../src/kubelet/certs/serving-request.js';
import {
  clientCertManager,
  currentClientCertPath,
  currentServingCertPath,
  newCertificateRequest,
  servingCertManager,
} from '../../../src/kubelet/certs/cert-manager.js';
import { clusterKubeletConfig, parseKubeletConfig } from '../../../src/kubelet/certs/kubelet-config.js';
import { kubeletConfigRBACManifest } from '../../../src/deploy/kubelet-config.js';
import { StatusError } from '../../../src/api/errors.js';
import { parseAllDocuments } from 'yaml';
import { parseCSR, signCSR, signingWindow } from '../../../src/pki/csr.js';
import { createCA, sansOf, type KeyAndCert } from '../../../src/pki/certs.js';
import {
  validateKubeletClient,
  validateKubeletServing,
} from '../../../src/controllers/certificates/validators.js';
import type { RestClient } from '../../../src/client/rest.js';

describe('kubelet serving CSR contents', () => {
  it('names system:node:<name> in system:nodes with SANs from the node addresses', () => {
    const t = servingTemplate('worker-1', [
      { type: 'InternalIP', address: '10.0.0.5' },
      { type: 'Hostname', address: 'worker-1' },
      { type: 'ExternalIP', address: '203.0.113.9' },
      { type: 'InternalDNS', address: 'worker-1.internal' },
      { type: 'InternalIP', address: '10.0.0.5' },
      { type: 'Hostname', address: '10.0.0.6' },
      { type: 'ExternalDNS', address: '' },
    ]);
    assert.deepEqual(t, {
      commonName: 'system:node:worker-1',
      organizations: ['system:nodes'],
      dnsNames: ['worker-1', 'worker-1.internal'],
      ipAddresses: ['10.0.0.5', '10.0.0.6', '203.0.113.9'],
    });
  });

  it('asks for nothing without an IP address (upstream requires one)', () => {
    assert.equal(servingTemplate('n', [{ type: 'Hostname', address: 'n' }]), undefined);
    assert.equal(servingTemplate('n', [{ type: 'InternalIP', address: 'not-an-ip' }]), undefined);
  });

  it('asks for key encipherment only with an RSA key', () => {
    assert.deepEqual(servingUsages('RSA'), ['digital signature', 'key encipherment', 'server auth']);
    assert.deepEqual(servingUsages('ECDSA'), ['digital signature', 'server auth']);
  });

  it('posts to signer kubernetes.io/kubelet-serving with generateName csr-', () => {
    const o = servingCSRObject('PEM', 'ECDSA') as {
      metadata: { generateName: string };
      spec: { signerName: string; usages: string[]; request: string; expirationSeconds?: number };
    };
    assert.equal(o.metadata.generateName, 'csr-');
    assert.equal(o.spec.signerName, 'kubernetes.io/kubelet-serving');
    assert.deepEqual(o.spec.usages, ['digital signature', 'server auth']);
    assert.equal(Buffer.from(o.spec.request, 'base64').toString(), 'PEM');
    assert.equal(o.spec.expirationSeconds, undefined);
    assert.equal((servingCSRObject('PEM', 'ECDSA', 3600) as typeof o).spec.expirationSeconds, 3600);
  });

  it('makes a signed PKCS#10 request that the kubelet-serving signer accepts', async () => {
    const t = servingTemplate('worker-1', [
      { type: 'InternalIP', address: '10.0.0.5' },
      { type: 'Hostname', address: 'worker-1' },
    ])!;
    const { csrPem, keyPem } = await newCertificateRequest(t);
    const parsed = parseCSR(csrPem);
    assert.equal(parsed.commonName, 'system:node:worker-1');
    assert.deepEqual(parsed.organizations, ['system:nodes']);
    assert.deepEqual(parsed.dnsNames, ['worker-1']);
    assert.deepEqual(parsed.ipAddresses, ['10.0.0.5']);
    assert.equal(parsed.keyAlgorithm, 'ECDSA');
    assert.equal(validateKubeletServing(parsed, servingUsages(parsed.keyAlgorithm)), undefined);
    assert.match(keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('asks for a client certificate with the same subject, no SANs, client auth', async () => {
    const t = clientTemplate('worker-1');
    assert.deepEqual(clientUsages('RSA'), ['digital signature', 'key encipherment', 'client auth']);
    assert.deepEqual(clientUsages('ECDSA'), ['digital signature', 'client auth']);
    const parsed = parseCSR((await newCertificateRequest(t)).csrPem);
    assert.equal(parsed.commonName, 'system:node:worker-1');
    assert.deepEqual([parsed.dnsNames, parsed.ipAddresses], [[], []]);
    assert.equal(validateKubeletClient(parsed, clientUsages('ECDSA')), undefined);
  });

  it('compares a certificate SAN list with the template, in any order', () => {
    const t = { commonName: '', organizations: [], dnsNames: ['a'], ipAddresses: ['10.0.0.1'] };
    assert.equal(sansMatch(['IP:10.0.0.1', 'DNS:a'], t), true);
    assert.equal(sansMatch(['DNS:a'], t), false);
    assert.equal(sansMatch(['DNS:a', 'IP:10.0.0.1', 'IP:127.0.0.1'], t), false);
  });
});

describe('kubelet serving certificate rotation deadline', () => {
  const from = new Date('2026-01-01T00:00:00Z');
  const to = new Date('2026-01-11T00:00:00Z'); // 10 days
  it('is 70 % of the lifetime at the lowest jitter and 90 % at the highest', () => {
    assert.equal(rotationDeadline(from, to, 0).toISOString(), '2026-01-08T00:00:00.000Z');
    assert.equal(rotationDeadline(from, to, 0.5).toISOString(), '2026-01-09T00:00:00.000Z');
    assert.equal(rotationDeadline(from, to, 1).toISOString(), '2026-01-10T00:00:00.000Z');
  });
  it('always falls inside 70-90 % with random jitter', () => {
    for (let i = 0; i < 200; i++) {
      const f = (rotationDeadline(from, to).getTime() - from.getTime()) / (to.getTime() - from.getTime());
      assert.ok(f >= 0.7 && f < 0.9, String(f));
    }
  });
});

describe('CSR phase as the kubelet reads it', () => {
  it('is pending while approved but not yet issued', () => {
    assert.deepEqual(csrPhase({}), { phase: 'pending' });
    assert.deepEqual(csrPhase({ status: { conditions: [{ type: 'Approved', status: 'True' }] } }), {
      phase: 'pending',
    });
  });
  it('is issued with the certificate decoded', () => {
    const certificate = Buffer.from('CERT').toString('base64');
    assert.deepEqual(csrPhase({ status: { certificate } }), { phase: 'issued', certificate: 'CERT' });
  });
  it('is refused when Denied or Failed, with the reason', () => {
    assert.deepEqual(
      csrPhase({
        status: { conditions: [{ type: 'Denied', status: 'True', reason: 'Nope', message: 'no' }] },
      }),
      { phase: 'refused', reason: 'certificate request was denied: Nope, no' },
    );
    assert.equal(
      csrPhase({
        status: { conditions: [{ type: 'Failed', status: 'True', reason: 'SignerValidationFailure' }] },
      }).phase,
      'refused',
    );
  });
});

describe('KubeletConfiguration file', () => {
  const head = 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n';
  it('reads serverTLSBootstrap, rotateCertificates, clusterDNS, port, allowedUnsafeSysctls', () => {
    assert.deepEqual(
      parseKubeletConfig(
        `${head}serverTLSBootstrap: true\nrotateCertificates: true\nclusterDNS: [10.96.0.10]\nport: 10250\nallowedUnsafeSysctls: ["net.core.*"]\ncgroupDriver: systemd\n`,
      ),
      {
        serverTLSBootstrap: true,
        rotateCertificates: true,
        clusterDNS: ['10.96.0.10'],
        port: 10250,
        allowedUnsafeSysctls: ['net.core.*'],
      },
    );
    assert.deepEqual(parseKubeletConfig(head), { serverTLSBootstrap: false, rotateCertificates: false });
  });
  it('refuses another kind, another apiVersion, wrong types and bad YAML, naming the file', () => {
    assert.throws(
      () => parseKubeletConfig('apiVersion: v1\nkind: ConfigMap\n', '/etc/k.yaml'),
      /^Error: failed to load kubelet config file \/etc\/k.yaml: kind is "ConfigMap", want KubeletConfiguration$/,
    );
    assert.throws(
      () => parseKubeletConfig('apiVersion: kubelet.config.k8s.io/v1\nkind: KubeletConfiguration\n'),
      /apiVersion is "kubelet.config.k8s.io\/v1", want kubelet.config.k8s.io\/v1beta1/,
    );
    assert.throws(
      () => parseKubeletConfig(`${head}serverTLSBootstrap: "yes"\n`),
      /serverTLSBootstrap must be a boolean/,
    );
    assert.throws(() => parseKubeletConfig(`${head}port: 70000\n`), /port must be an integer in 0..65535/);
    assert.throws(
      () => parseKubeletConfig(`${head}clusterDNS: 10.0.0.1\n`),
      /clusterDNS must be a list of strings/,
    );
    assert.throws(() => parseKubeletConfig('[1, 2'), /failed to load kubelet config file config: /);
    assert.throws(() => parseKubeletConfig('- a\n'), /not a KubeletConfiguration object/);
  });
});

/** A stand-in for the API: the CSR stays pending for `pendingPolls` GETs, then is signed. */
function fakeAPI(ca: Awaited<ReturnType<typeof createCA>>, pendingPolls: number) {
  const posted: { spec: { request: string; usages: string[]; signerName: string } }[] = [];
  let polls = 0;
  const client = {
    async request(method: string, path: string, body?: unknown) {
      if (method === 'POST') {
        posted.push(body as (typeof posted)[number]);
        return { metadata: { name: `csr-${posted.length}` } };
      }
      assert.equal(method, 'GET');
      assert.equal(path, `/apis/certificates.k8s.io/v1/certificatesigningrequests/csr-${posted.length}`);
      if (polls++ < pendingPolls) return { status: { conditions: [{ type: 'Approved', status: 'True' }] } };
      const csr = posted[posted.length - 1].spec;
      const parsed = parseCSR(Buffer.from(csr.request, 'base64').toString());
      const pem = await signCSR(ca, parsed, csr.usages, 3600_000);
      return { status: { certificate: Buffer.from(pem).toString('base64') } };
    },
  } as unknown as RestClient;
  return { client, posted };
}

describe('serving certificate manager', () => {
  it('requests, waits while pending, installs the issued certificate and keeps it for the next start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serving-'));
    try {
      const ca = await createCA('test-ca');
      const api = fakeAPI(ca, 2);
      const addresses = [
        { type: 'InternalIP', address: '10.0.0.5' },
        { type: 'Hostname', address: 'worker-1' },
      ];
      let served!: (kc: KeyAndCert) => void;
      const got = new Promise<KeyAndCert>((r) => (served = r));
      const m = servingCertManager({
        client: api.client,
        nodeName: 'worker-1',
        addresses,
        dataDir: dir,
        onCertificate: (kc) => served(kc),
      });
      assert.equal(m.loadCurrent(), undefined);
      // the manager's timers are unref'd (they must not keep an agent alive): hold the loop open
      const hold = setInterval(() => undefined, 1000);
      m.start();
      const kc = await got.finally(() => clearInterval(hold));
      m.stop();
      assert.equal(api.posted.length, 1);
      assert.equal(api.posted[0].spec.signerName, 'kubernetes.io/kubelet-serving');
      assert.deepEqual(sansOf(kc.certPem), ['DNS:worker-1', 'IP:10.0.0.5']);
      const path = currentServingCertPath(dir);
      assert.equal(readFileSync(path, 'utf8'), kc.certPem + kc.keyPem);
      assert.equal(statSync(path).mode & 0o777, 0o600);
      // a later start serves it at once and asks for nothing
      const again = servingCertManager({
        client: fakeAPI(ca, 0).client,
        nodeName: 'worker-1',
        addresses,
        dataDir: dir,
        onCertificate: () => assert.fail('no new certificate expected'),
      });
      assert.deepEqual(again.loadCurrent(), kc);
      // other addresses: the stored certificate no longer fits
      const moved = servingCertManager({
        client: api.client,
        nodeName: 'worker-1',
        addresses: [{ type: 'InternalIP', address: '10.0.0.9' }],
        dataDir: dir,
        onCertificate: () => undefined,
      });
      assert.equal(moved.loadCurrent(), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('client certificate manager (rotateCertificates)', () => {
  it('keeps the bootstrap certificate until its deadline, then renews it by a client-kubelet CSR', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'client-'));
    try {
      const ca = await createCA('test-ca');
      const sign = async (ttlMs: number) => {
        const { csrPem, keyPem } = await newCertificateRequest(clientTemplate('worker-1'));
        const certPem = await signCSR(ca, parseCSR(csrPem), clientUsages('ECDSA'), ttlMs);
        return { certPem, keyPem };
      };
      // valid for a day: its deadline (70-90 %) is hours away, so nothing is asked
      const fresh = await sign(86_400_000);
      const idle = clientCertManager({
        client: fakeAPI(ca, 0).client,
        nodeName: 'worker-1',
        dataDir: dir,
        initial: fresh,
        onCertificate: () => assert.fail('no renewal expected'),
      });
      assert.deepEqual(idle.loadCurrent(), fresh);
      // signed with the 5 minutes' backdate and 1 minute left: past 70 % of its lifetime
      const old = await sign(60_000);
      const api = fakeAPI(ca, 1);
      let renewed!: (kc: KeyAndCert) => void;
      const got = new Promise<KeyAndCert>((r) => (renewed = r));
      const m = clientCertManager({
        client: api.client,
        nodeName: 'worker-1',
        dataDir: dir,
        initial: old,
        onCertificate: (kc) => renewed(kc),
        random: () => 0,
      });
      assert.deepEqual(m.loadCurrent(), old);
      const hold = setInterval(() => undefined, 1000);
      m.start();
      const kc = await got.finally(() => clearInterval(hold));
      m.stop();
      assert.equal(api.posted.length, 1);
      assert.equal(api.posted[0].spec.signerName, 'kubernetes.io/kube-apiserver-client-kubelet');
      assert.deepEqual(api.posted[0].spec.usages, ['digital signature', 'client auth']);
      assert.notEqual(kc.keyPem, old.keyPem);
      assert.deepEqual(sansOf(kc.certPem), []);
      assert.equal(readFileSync(currentClientCertPath(dir), 'utf8'), kc.certPem + kc.keyPem);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cluster-wide KubeletConfiguration (OPS-08)', () => {
  const text =
    'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nserverTLSBootstrap: true\n';
  const api = (answers: Record<string, unknown>) => {
    const asked: string[] = [];
    const client = {
      async request(_m: string, path: string) {
        asked.push(path.split('/').pop()!);
        const a = answers[path.split('/').pop()!];
        if (a instanceof Error) throw a;
        if (a === undefined) throw new StatusError(404, 'NotFound', 'not found');
        return a;
      },
    } as unknown as RestClient;
    return { client, asked };
  };
  const warnings: string[] = [];
  const warn = (m: string) => void warnings.push(m);

  it('reads kubelet-config, else kubelet-config-1.31, and keeps a local copy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kcfg-'));
    try {
      const copy = join(dir, 'agent', 'config.yaml');
      const none = api({});
      assert.equal(await clusterKubeletConfig(none.client, copy, warn), undefined);
      assert.deepEqual(none.asked, ['kubelet-config', 'kubelet-config-1.31']);
      const versioned = api({ 'kubelet-config-1.31': { data: { kubelet: text } } });
      assert.deepEqual(await clusterKubeletConfig(versioned.client, copy, warn), {
        serverTLSBootstrap: true,
        rotateCertificates: false,
      });
      assert.equal(readFileSync(copy, 'utf8'), text);
      // the cluster out of reach: the local copy serves
      const down = api({ 'kubelet-config': new Error('connect ECONNREFUSED') });
      assert.equal((await clusterKubeletConfig(down.client, copy, warn))?.serverTLSBootstrap, true);
      assert.match(warnings.at(-1)!, /using the local copy/);
      // a ConfigMap without the key, or with a bad configuration, is refused with its name
      const noKey = api({ 'kubelet-config': { data: {} } });
      assert.equal(await clusterKubeletConfig(noKey.client, join(dir, 'none.yaml'), warn), undefined);
      assert.match(warnings.at(-1)!, /not read/);
      const bad = api({ 'kubelet-config': { data: { kubelet: 'kind: Pod\n' } } });
      await assert.rejects(
        clusterKubeletConfig(bad.client, copy, warn),
        /failed to load kubelet config file ConfigMap kube-system\/kubelet-config key kubelet: kind is "Pod"/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets system:nodes get exactly those ConfigMaps (kubeadm:kubelet-config)', () => {
    const [role, binding] = parseAllDocuments(kubeletConfigRBACManifest()).map((d) => d.toJS());
    assert.deepEqual(role.metadata, { name: 'kubeadm:kubelet-config', namespace: 'kube-system' });
    assert.deepEqual(role.rules, [
      {
        apiGroups: [''],
        resources: ['configmaps'],
        resourceNames: ['kubelet-config', 'kubelet-config-1.31'],
        verbs: ['get'],
      },
    ]);
    assert.deepEqual(binding.subjects, [
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:nodes' },
    ]);
    assert.equal(binding.roleRef.name, 'kubeadm:kubelet-config');
  });
});

describe('csrsigning validity window (upstream PermissiveSigningPolicy)', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const far = Date.parse('2036-01-01T00:00:00Z');
  it('backdates the start 5 minutes; a lifetime of 8 h or more keeps its length', () => {
    const year = signingWindow(now, 8760 * 3600_000, far);
    assert.equal(year.notBefore.toISOString(), '2025-12-31T23:55:00.000Z');
    assert.equal(year.notAfter.toISOString(), '2026-12-31T23:55:00.000Z');
  });
  it('does not backdate the end of a short-lived certificate', () => {
    const hour = signingWindow(now, 3600_000, far);
    assert.equal(hour.notBefore.toISOString(), '2025-12-31T23:55:00.000Z');
    assert.equal(hour.notAfter.toISOString(), '2026-01-01T01:00:00.000Z');
  });
  it('ends with the CA', () => {
    assert.equal(signingWindow(now, 8760 * 3600_000, now + 1000).notAfter.getTime(), now + 1000);
  });
});
