// The front-proxy PKI (kubeadm's front-proxy-ca and front-proxy-client, k3s's request-header-ca
// and client-auth-proxy): the API server presents the client certificate when it proxies to an
// extension API server, which trusts X-Remote-User/X-Remote-Group only from a certificate the
// request-header CA signed. The `extension-apiserver-authentication` ConfigMap in kube-system
// publishes what extension servers need to check it, as kube-apiserver publishes it.
import { StatusError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { createCA, issue, loadIssuer, type KeyAndCert } from '../../pki/certs.js';
import { readKeyPair, writeKeyPair } from '../../pki/bundle.js';
import type { RequestContext } from '../endpoints/context.js';
import type { ResourceStore } from '../endpoints/store.js';

export const FRONT_PROXY_CLIENT_CN = 'front-proxy-client';

export interface FrontProxyPKI {
  caCertPem: string;
  client: KeyAndCert;
}

/** Loads the request-header CA and proxy client certificate from tlsDir, making them at first start. */
export async function ensureFrontProxyPKI(tlsDir: string): Promise<FrontProxyPKI> {
  let caPem = readKeyPair(tlsDir, 'request-header-ca');
  if (!caPem) {
    caPem = (await createCA(`k8ts-request-header-ca@${Math.floor(Date.now() / 1000)}`)).pem;
    writeKeyPair(tlsDir, 'request-header-ca', caPem);
  }
  let client = readKeyPair(tlsDir, 'client-auth-proxy');
  if (!client) {
    client = await issue(await loadIssuer(caPem), {
      commonName: FRONT_PROXY_CLIENT_CN,
      usage: 'client',
      validDays: 365,
    });
    writeKeyPair(tlsDir, 'client-auth-proxy', client);
  }
  return { caCertPem: caPem.certPem, client };
}

/** The ConfigMap's data, with upstream's keys and JSON-list values. */
export function extensionAuthenticationData(
  clientCAPem: string,
  frontProxyCAPem: string,
): Record<string, string> {
  return {
    'client-ca-file': clientCAPem,
    'requestheader-allowed-names': JSON.stringify([FRONT_PROXY_CLIENT_CN]),
    'requestheader-client-ca-file': frontProxyCAPem,
    'requestheader-extra-headers-prefix': JSON.stringify(['X-Remote-Extra-']),
    'requestheader-group-headers': JSON.stringify(['X-Remote-Group']),
    'requestheader-username-headers': JSON.stringify(['X-Remote-User']),
  };
}

export async function publishExtensionAuthentication(
  configmaps: ResourceStore,
  data: Record<string, string>,
  ctx: RequestContext,
): Promise<void> {
  const name = 'extension-apiserver-authentication';
  const obj: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'kube-system' },
    data,
  };
  try {
    await configmaps.create(obj, ctx);
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 409)) throw err;
    await configmaps.update('kube-system', name, ctx, (cur) => ({ ...cur, data }));
  }
}
