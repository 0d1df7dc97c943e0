// The managed etcd's own PKI (k3s keeps one apart from the cluster CA too):
// <data-dir>/server/tls/etcd/ holds ca.{crt,key} (shared by every server of the cluster),
// server-client.{crt,key} (etcd's client-facing serving certificate), peer.{crt,key} (Raft
// traffic between members, server and client usage) and client.{crt,key} (what the API
// server and `k8ts etcd*` present to etcd).
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createCA, issue, loadIssuer, sansOf, type Issuer } from '../pki/certs.js';
import { readKeyPair, writeKeyPair } from '../pki/bundle.js';

export interface EtcdTLSFiles {
  dir: string;
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  peerCertFile: string;
  peerKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
}

export function etcdTLSFiles(dataDir: string): EtcdTLSFiles {
  const dir = join(dataDir, 'server', 'tls', 'etcd');
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    serverCertFile: join(dir, 'server-client.crt'),
    serverKeyFile: join(dir, 'server-client.key'),
    peerCertFile: join(dir, 'peer.crt'),
    peerKeyFile: join(dir, 'peer.key'),
    clientCertFile: join(dir, 'client.crt'),
    clientKeyFile: join(dir, 'client.key'),
  };
}

async function ensureIssued(
  ca: Issuer,
  dir: string,
  base: string,
  spec: Parameters<typeof issue>[1],
): Promise<void> {
  const wanted = [
    ...(spec.dnsNames ?? []).map((d) => `DNS:${d}`),
    ...(spec.ipAddresses ?? []).map((i) => `IP:${i}`),
  ].sort();
  const cur = readKeyPair(dir, base);
  if (cur && sansOf(cur.certPem).join(',') === wanted.join(',')) return;
  writeKeyPair(dir, base, await issue(ca, spec));
}

/**
 * Makes the etcd CA when this server starts a cluster (a joining server receives it first),
 * and this member's certificates for the given addresses (reissued when they change).
 */
export async function ensureEtcdPKI(dataDir: string, ips: string[]): Promise<EtcdTLSFiles> {
  const files = etcdTLSFiles(dataDir);
  mkdirSync(files.dir, { recursive: true, mode: 0o700 });
  let caPem = readKeyPair(files.dir, 'ca');
  if (!caPem) {
    const created = await createCA(`k8ts-etcd-ca@${Math.floor(Date.now() / 1000)}`);
    caPem = created.pem;
    writeKeyPair(files.dir, 'ca', caPem);
  }
  const ca = await loadIssuer(caPem);
  const sans = {
    dnsNames: ['localhost', hostname()],
    ipAddresses: [...new Set(['127.0.0.1', '::1', ...ips])].sort(),
  };
  await ensureIssued(ca, files.dir, 'server-client', {
    commonName: 'etcd-server',
    ...sans,
    usage: 'server+client',
    validDays: 365,
  });
  await ensureIssued(ca, files.dir, 'peer', {
    commonName: 'etcd-peer',
    ...sans,
    usage: 'server+client',
    validDays: 365,
  });
  if (!readKeyPair(files.dir, 'client'))
    writeKeyPair(
      files.dir,
      'client',
      await issue(ca, { commonName: 'etcd-client', usage: 'client', validDays: 365 }),
    );
  return files;
}
