// Users for RBAC tests: a client certificate signed by the cluster CA in the server's data dir
// (CN = user, O = groups, as kube-apiserver's x509 authenticator reads them) and a kubeconfig
// holding it, so that the real kubectl acts as that user.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issue, loadIssuer } from '../../src/pki/certs.js';
import type { TestServer } from './harness.js';

export async function userKubeconfig(s: TestServer, name: string, groups: string[] = []): Promise<string> {
  const tls = join(s.dataDir, 'server', 'tls');
  const ca = await loadIssuer({
    certPem: readFileSync(join(tls, 'server-ca.crt'), 'utf8'),
    keyPem: readFileSync(join(tls, 'server-ca.key'), 'utf8'),
  });
  const cert = await issue(ca, { commonName: name, organizations: groups, usage: 'client', validDays: 1 });
  const b64 = (x: string) => Buffer.from(x).toString('base64');
  const admin = readFileSync(s.kubeconfig, 'utf8');
  const server = /server: (\S+)/.exec(admin)![1];
  const path = join(s.dir, `${name.replace(/[^a-z0-9]/gi, '_')}.kubeconfig`);
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- cluster:',
      `    certificate-authority-data: ${b64(ca.pem.certPem)}`,
      `    server: ${server}`,
      '  name: default',
      'contexts:',
      '- context:',
      '    cluster: default',
      '    namespace: default',
      `    user: ${name}`,
      '  name: default',
      'current-context: default',
      'users:',
      `- name: ${JSON.stringify(name)}`,
      '  user:',
      `    client-certificate-data: ${b64(cert.certPem)}`,
      `    client-key-data: ${b64(cert.keyPem)}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return path;
}
