// An agent's TLS bootstrap (kubelet's --bootstrap-kubeconfig flow, as kubeadm/k3s joins do):
// with a join token K10<ca-hash>::<token-id>.<token-secret> it pins the cluster CA from
// /cacerts, then, authenticated by the bootstrap token, posts a CSR for system:node:<name> in
// system:nodes to signer kubernetes.io/kube-apiserver-client-kubelet (approved automatically for
// bootstrappers), waits for the certificate and writes <data-dir>/agent/kubelet.kubeconfig.
// Later starts reuse that kubeconfig while its certificate is valid for another day.
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { RestClient } from '../client/rest.js';
import { notAfter } from '../pki/certs.js';
import { fetchCA, JoinError } from './join.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG: EcKeyGenParams & EcdsaParams = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const TOKEN = /^K10([0-9a-f]{64})::([a-z0-9]{6})\.([a-z0-9]{16})$/;

export function agentKubeconfigPath(dataDir: string): string {
  return join(dataDir, 'agent', 'kubelet.kubeconfig');
}

/** A kubeconfig for one client certificate (embedded, as k3s writes its agent's). */
export function clientKubeconfig(server: string, ca: string, cert: string, key: string): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- cluster: {server: "${server}", certificate-authority-data: ${b64(ca)}}`,
    '  name: default',
    'contexts:',
    '- context: {cluster: default, user: default}',
    '  name: default',
    'current-context: default',
    'users:',
    `- name: default`,
    `  user: {client-certificate-data: ${b64(cert)}, client-key-data: ${b64(key)}}`,
    '',
  ].join('\n');
}

async function csrFor(nodeName: string): Promise<{ csrPem: string; keyPem: string }> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `O=system:nodes, CN=system:node:${nodeName}`,
    keys,
    signingAlgorithm: ALG,
  });
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${der.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
  return { csrPem: csr.toString('pem') + '\n', keyPem };
}

/**
 * Writes the agent's client certificate, key, cluster CA and kubeconfig under <data-dir>/agent/
 * (at bootstrap, and again when the kubelet renews its client certificate); returns the
 * kubeconfig's path.
 */
export function writeAgentCredentials(o: {
  dataDir: string;
  server: string;
  ca: string;
  cert: string;
  key: string;
}): string {
  const dir = join(o.dataDir, 'agent');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'client-kubelet.crt'), o.cert, { mode: 0o644 });
  writeFileSync(join(dir, 'client-kubelet.key'), o.key, { mode: 0o600 });
  writeFileSync(join(dir, 'server-ca.crt'), o.ca, { mode: 0o644 });
  const path = agentKubeconfigPath(o.dataDir);
  writeFileSync(path, clientKubeconfig(o.server, o.ca, o.cert, o.key), { mode: 0o600 });
  return path;
}

interface CSRObject {
  status?: { certificate?: string; conditions?: { type: string; message?: string }[] };
}

export async function bootstrapAgent(opts: {
  server: string;
  token: string;
  nodeName: string;
  dataDir: string;
  timeoutMs?: number;
}): Promise<string> {
  const path = agentKubeconfigPath(opts.dataDir);
  const certFile = join(opts.dataDir, 'agent', 'client-kubelet.crt');
  if (
    existsSync(path) &&
    existsSync(certFile) &&
    notAfter(readFileSync(certFile, 'utf8')).getTime() > Date.now() + 86_400_000
  )
    return path;
  const m = TOKEN.exec(opts.token.trim());
  if (!m)
    throw new JoinError(
      'invalid --token: want K10<ca-hash>::<token-id>.<token-secret> (`k8ts token create --join` prints one)',
    );
  const ca = await fetchCA(opts.server, m[1]!);
  const client = new RestClient({
    server: opts.server,
    ca,
    token: `${m[2]}.${m[3]}`,
    userAgent: 'kubelet/v1.31.0 (k8ts) bootstrap',
  });
  try {
    const { csrPem, keyPem } = await csrFor(opts.nodeName);
    const name = `node-csr-${randomBytes(8).toString('hex')}`;
    const base = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
    try {
      await client.request('POST', base, {
        apiVersion: 'certificates.k8s.io/v1',
        kind: 'CertificateSigningRequest',
        metadata: { name },
        spec: {
          request: Buffer.from(csrPem).toString('base64'),
          signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
          usages: ['digital signature', 'client auth'],
        },
      });
    } catch (err) {
      throw new JoinError(`${opts.server} refused the bootstrap token: ${(err as Error).message}`);
    }
    const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
    for (;;) {
      const csr = await client.request<CSRObject>('GET', `${base}/${name}`);
      const denied = csr.status?.conditions?.find((c) => c.type === 'Denied' || c.type === 'Failed');
      if (denied)
        throw new JoinError(
          `certificate request ${name} ${denied.type.toLowerCase()}: ${denied.message ?? ''}`,
        );
      if (csr.status?.certificate) {
        const cert = Buffer.from(csr.status.certificate, 'base64').toString('utf8');
        return writeAgentCredentials({ dataDir: opts.dataDir, server: opts.server, ca, cert, key: keyPem });
      }
      if (Date.now() > deadline) throw new JoinError(`certificate request ${name} was not issued in time`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    client.close();
  }
}
