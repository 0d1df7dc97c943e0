// What each built-in signer accepts (upstream's pkg/apis/certificates/helpers.go and
// pkg/controller/certificates/signer): a request another signer would take is refused with
// upstream's message, which the signer records as a Failed condition.
import type { ParsedCSR } from '../../pki/csr.js';

export const KUBE_APISERVER_CLIENT = 'kubernetes.io/kube-apiserver-client';
export const KUBE_APISERVER_CLIENT_KUBELET = 'kubernetes.io/kube-apiserver-client-kubelet';
export const KUBELET_SERVING = 'kubernetes.io/kubelet-serving';
export const BUILT_IN_SIGNERS = [KUBE_APISERVER_CLIENT, KUBE_APISERVER_CLIENT_KUBELET, KUBELET_SERVING];

const sameSet = (a: string[], b: string[]) => {
  const sa = new Set(a);
  return sa.size === new Set(b).size && b.every((x) => sa.has(x));
};
const goList = (xs: string[]) => `[${[...xs].sort().join(' ')}]`;

const KUBELET_SERVING_USAGES = ['digital signature', 'key encipherment', 'server auth'];
const KUBELET_SERVING_USAGES_NO_RSA = ['digital signature', 'server auth'];
const KUBELET_CLIENT_USAGES = ['digital signature', 'key encipherment', 'client auth'];
const KUBELET_CLIENT_USAGES_NO_RSA = ['digital signature', 'client auth'];

function systemNodes(csr: ParsedCSR): string | undefined {
  if (csr.organizations.length !== 1 || csr.organizations[0] !== 'system:nodes')
    return 'subject organization is not system:nodes';
  return undefined;
}

/** A kubelet's client certificate: O=system:nodes, CN=system:node:<name>, no SANs. */
export function validateKubeletClient(csr: ParsedCSR, usages: string[]): string | undefined {
  const org = systemNodes(csr);
  if (org) return org;
  if (csr.dnsNames.length) return 'DNS subjectAltNames are not allowed';
  if (csr.emailAddresses.length) return 'Email subjectAltNames are not allowed';
  if (csr.ipAddresses.length) return 'IP subjectAltNames are not allowed';
  if (csr.uris.length) return 'URI subjectAltNames are not allowed';
  if (!csr.commonName.startsWith('system:node:'))
    return 'subject common name does not begin with system:node:';
  if (!sameSet(usages, KUBELET_CLIENT_USAGES) && !sameSet(usages, KUBELET_CLIENT_USAGES_NO_RSA))
    return `usages did not match ${goList(KUBELET_CLIENT_USAGES)}`;
  return undefined;
}

/** A kubelet's serving certificate: O=system:nodes, CN=system:node:<name>, DNS or IP SANs only. */
export function validateKubeletServing(csr: ParsedCSR, usages: string[]): string | undefined {
  const org = systemNodes(csr);
  if (org) return org;
  if (!csr.dnsNames.length && !csr.ipAddresses.length) return 'DNS or IP subjectAltName is required';
  if (csr.emailAddresses.length) return 'Email subjectAltNames are not allowed';
  if (csr.uris.length) return 'URI subjectAltNames are not allowed';
  if (!sameSet(usages, KUBELET_SERVING_USAGES) && !sameSet(usages, KUBELET_SERVING_USAGES_NO_RSA))
    return `usages did not match ${goList(KUBELET_SERVING_USAGES)}`;
  if (!csr.commonName.startsWith('system:node:'))
    return 'subject common name does not begin with system:node:';
  return undefined;
}

/** Any client of the API server: client auth required; digital signature and key encipherment optional. */
export function validateAPIServerClient(usages: string[]): string | undefined {
  let clientAuth = false;
  for (const u of usages) {
    if (u === 'client auth') clientAuth = true;
    else if (u !== 'digital signature' && u !== 'key encipherment')
      return `invalid usage for client certificate: ${u}`;
  }
  return clientAuth ? undefined : 'missing required usage for client certificate: client auth';
}

/** Why signerName's signer refuses csr, or undefined when it signs it. */
export function signerRefusal(signerName: string, csr: ParsedCSR, usages: string[]): string | undefined {
  switch (signerName) {
    case KUBE_APISERVER_CLIENT:
      return validateAPIServerClient(usages);
    case KUBE_APISERVER_CLIENT_KUBELET:
      return validateKubeletClient(csr, usages);
    case KUBELET_SERVING:
      return validateKubeletServing(csr, usages);
    default:
      return `unrecognized signerName ${signerName}`;
  }
}
