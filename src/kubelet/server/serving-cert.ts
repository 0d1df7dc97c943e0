// The kubelet's serving certificate when none is given: as upstream's kubelet without
// --tls-cert-file, a certificate of its own CA (`<host>-ca@<time>`) written to
// <data-dir>/agent/pki/kubelet.{crt,key} and reused while its names still match. The API
// server does not verify it (no --kubelet-certificate-authority, upstream's default); it
// authenticates itself to the kubelet with its kubelet-client certificate.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCA, issue, sansOf, type KeyAndCert } from '../../pki/certs.js';

export async function ensureKubeletServingCert(
  dataDir: string,
  nodeName: string,
  ips: string[],
): Promise<KeyAndCert> {
  const dir = join(dataDir, 'agent', 'pki');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const crt = join(dir, 'kubelet.crt');
  const key = join(dir, 'kubelet.key');
  const wanted = [`DNS:${nodeName}`, ...ips.map((i) => `IP:${i}`)].sort();
  if (existsSync(crt) && existsSync(key)) {
    const have = { certPem: readFileSync(crt, 'utf8'), keyPem: readFileSync(key, 'utf8') };
    if (sansOf(have.certPem).join(',') === wanted.join(',')) return have;
  }
  const ca = await createCA(`${nodeName}-ca@${Math.floor(Date.now() / 1000)}`, 365);
  const serving = await issue(ca, {
    commonName: `${nodeName}@${Math.floor(Date.now() / 1000)}`,
    dnsNames: [nodeName],
    ipAddresses: ips,
    usage: 'server',
    validDays: 365,
  });
  // the chain, so that a client given the kubelet's CA can verify it
  const chain = { certPem: serving.certPem + ca.pem.certPem, keyPem: serving.keyPem };
  writeFileSync(crt, chain.certPem, { mode: 0o644 });
  writeFileSync(key, chain.keyPem, { mode: 0o600 });
  return chain;
}
