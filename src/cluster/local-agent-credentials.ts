// The identities of the server's own agent (k3s's layout under <data-dir>/agent/): the kubelet
// as system:node:<name> in system:nodes, kube-proxy as system:kube-proxy and the network policy
// controller as system:k3s-controller, each a client certificate from the cluster CA with its
// kubeconfig (0600). A certificate is reused while it names the same user, the CA signed it and
// it is valid for another day; otherwise (another --node-name, a new CA, expiry) it is issued
// again. The admin kubeconfig stays with the server's own clients.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issue, loadIssuer } from '../pki/certs.js';
import { readKeyPair, writeKeyPair } from '../pki/bundle.js';
import { reusableClientCert, type ClientSubject } from '../pki/client-cert.js';
import { clientKubeconfig, writeAgentCredentials } from './agent-bootstrap.js';

/** k3s's user for its embedded controllers (network policies); bound by deploy/k3s-controller.ts. */
export const K3S_CONTROLLER_USER = 'system:k3s-controller';
/** kube-proxy's user, bound to system:node-proxier by the bootstrap policy. */
export const KUBE_PROXY_USER = 'system:kube-proxy';

export interface LocalAgentKubeconfigs {
  kubelet: string;
  kubeProxy: string;
  controller: string;
}

export function nodeSubject(nodeName: string): ClientSubject {
  return { commonName: `system:node:${nodeName}`, organizations: ['system:nodes'] };
}

/** Issues (or keeps) the three client certificates and writes their kubeconfigs. */
export async function ensureLocalAgentCredentials(o: {
  dataDir: string;
  /** <data-dir>/server/tls, where server-ca.crt and server-ca.key are. */
  tlsDir: string;
  nodeName: string;
  /** The API server's address as the agent's components reach it. */
  server: string;
}): Promise<LocalAgentKubeconfigs> {
  const caPair = readKeyPair(o.tlsDir, 'server-ca');
  if (!caPair) throw new Error(`no cluster CA in ${o.tlsDir}`);
  const ca = await loadIssuer(caPair);
  const dir = join(o.dataDir, 'agent');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ensure = async (base: string, subject: ClientSubject) => {
    const have = readKeyPair(dir, base);
    if (have && (await reusableClientCert(have.certPem, caPair.certPem, subject))) return have;
    const pair = await issue(ca, { ...subject, usage: 'client', validDays: 365 });
    writeKeyPair(dir, base, pair);
    return pair;
  };
  const write = (file: string, pair: { certPem: string; keyPem: string }) => {
    const path = join(dir, file);
    writeFileSync(path, clientKubeconfig(o.server, caPair.certPem, pair.certPem, pair.keyPem), {
      mode: 0o600,
    });
    return path;
  };
  const kubelet = await ensure('client-kubelet', nodeSubject(o.nodeName));
  // as a joined agent's bootstrap and rotation write it (client-kubelet.crt, kubelet.kubeconfig)
  const kubeletPath = writeAgentCredentials({
    dataDir: o.dataDir,
    server: o.server,
    ca: caPair.certPem,
    cert: kubelet.certPem,
    key: kubelet.keyPem,
  });
  const proxy = await ensure('client-kube-proxy', { commonName: KUBE_PROXY_USER, organizations: [] });
  const controller = await ensure('client-k3s-controller', {
    commonName: K3S_CONTROLLER_USER,
    organizations: [],
  });
  return {
    kubelet: kubeletPath,
    kubeProxy: write('kubeproxy.kubeconfig', proxy),
    controller: write('k3scontroller.kubeconfig', controller),
  };
}
