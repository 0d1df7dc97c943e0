// The server's PKI on disk (made at first start, reused after): cluster CA, API serving
// certificate, admin client certificate. Layout follows k3s: <data-dir>/server/tls/.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { createCA, issue, loadIssuer, sansOf, type Issuer, type KeyAndCert } from './certs.js';

export interface ServerPKI {
  caCertPem: string;
  serving: KeyAndCert;
  admin: KeyAndCert;
  /** The API server's client certificate towards kubelets (upstream's --kubelet-client-certificate). */
  kubeletClient: KeyAndCert;
  ca: Issuer;
}

export interface PKIOptions {
  tlsDir: string;
  /** First service IP (10.43.0.1 for the default service CIDR). */
  kubernetesServiceIP: string;
  tlsSans: string[];
  clusterDomain?: string;
}

/** `<base>.crt` and `<base>.key` in dir, or undefined when either is missing. */
export function readKeyPair(dir: string, base: string): KeyAndCert | undefined {
  const c = join(dir, `${base}.crt`);
  const k = join(dir, `${base}.key`);
  if (!existsSync(c) || !existsSync(k)) return undefined;
  return { certPem: readFileSync(c, 'utf8'), keyPem: readFileSync(k, 'utf8') };
}

/** Writes `<base>.crt` (0644) and `<base>.key` (0600) into dir. */
export function writeKeyPair(dir: string, base: string, kc: KeyAndCert): void {
  writeFileSync(join(dir, `${base}.crt`), kc.certPem, { mode: 0o644 });
  writeFileSync(join(dir, `${base}.key`), kc.keyPem, { mode: 0o600 });
}

const IP_RE = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]+:[0-9a-fA-F:]*)$/;

/** Every name and address the API server answers to. */
export function servingSans(opts: PKIOptions): { dns: string[]; ips: string[] } {
  const domain = opts.clusterDomain ?? 'cluster.local';
  const dns = new Set([
    'localhost',
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    `kubernetes.default.svc.${domain}`,
  ]);
  const ips = new Set(['127.0.0.1', '::1', opts.kubernetesServiceIP]);
  dns.add(hostname());
  for (const addrs of Object.values(networkInterfaces()))
    for (const a of addrs ?? []) ips.add(a.address.split('%')[0]);
  for (const san of opts.tlsSans) (IP_RE.test(san) ? ips : dns).add(san);
  return { dns: [...dns].sort(), ips: [...ips].sort() };
}

export async function ensureServerPKI(opts: PKIOptions): Promise<ServerPKI> {
  mkdirSync(opts.tlsDir, { recursive: true, mode: 0o700 });
  let caPem = readKeyPair(opts.tlsDir, 'server-ca');
  let ca: Issuer;
  if (caPem) ca = await loadIssuer(caPem);
  else {
    ca = await createCA(`k8ts-server-ca@${Math.floor(Date.now() / 1000)}`);
    caPem = ca.pem;
    writeKeyPair(opts.tlsDir, 'server-ca', caPem);
  }
  const sans = servingSans(opts);
  const wanted = [...sans.dns.map((d) => `DNS:${d}`), ...sans.ips.map((i) => `IP:${i}`)].sort();
  let serving = readKeyPair(opts.tlsDir, 'serving-kube-apiserver');
  // Reissue when the host's addresses or --tls-san changed, so clients never see a name mismatch.
  if (!serving || sansOf(serving.certPem).join(',') !== wanted.join(',')) {
    serving = await issue(ca, {
      commonName: 'kube-apiserver',
      dnsNames: sans.dns,
      ipAddresses: sans.ips,
      usage: 'server',
      validDays: 365,
    });
    writeKeyPair(opts.tlsDir, 'serving-kube-apiserver', serving);
  }
  let admin = readKeyPair(opts.tlsDir, 'client-admin');
  if (!admin) {
    admin = await issue(ca, {
      commonName: 'system:admin',
      organizations: ['system:masters'],
      usage: 'client',
      validDays: 365,
    });
    writeKeyPair(opts.tlsDir, 'client-admin', admin);
  }
  let kubeletClient = readKeyPair(opts.tlsDir, 'client-kube-apiserver');
  if (!kubeletClient) {
    // k3s's name and groups: the kubelet's SubjectAccessReview for it is allowed as system:masters
    kubeletClient = await issue(ca, {
      commonName: 'system:kube-apiserver',
      organizations: ['system:masters'],
      usage: 'client',
      validDays: 365,
    });
    writeKeyPair(opts.tlsDir, 'client-kube-apiserver', kubeletClient);
  }
  return { caCertPem: caPem.certPem, serving, admin, kubeletClient, ca };
}

/** A kubeconfig for the admin user (what `--write-kubeconfig` writes). */
export function adminKubeconfig(server: string, pki: ServerPKI): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- cluster:',
    `    certificate-authority-data: ${b64(pki.caCertPem)}`,
    `    server: ${server}`,
    '  name: default',
    'contexts:',
    '- context:',
    '    cluster: default',
    '    user: default',
    '  name: default',
    'current-context: default',
    'preferences: {}',
    'users:',
    '- name: default',
    '  user:',
    `    client-certificate-data: ${b64(pki.admin.certPem)}`,
    `    client-key-data: ${b64(pki.admin.keyPem)}`,
    '',
  ].join('\n');
}
