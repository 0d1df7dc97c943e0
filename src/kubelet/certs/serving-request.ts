// What a kubelet asks for when it requests its serving certificate or renews its client
// certificate (upstream's pkg/kubelet/certificate managers and client-go's certificate manager),
// as pure functions: the CSR's subject and SANs from the node's addresses, its usages by key
// type, the CertificateSigningRequest object, and when to rotate (a jittered 70-90 % of the
// lifetime).

export const KUBELET_SERVING_SIGNER = 'kubernetes.io/kubelet-serving';
export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';

export interface NodeAddress {
  type: string;
  address: string;
}

export interface ServingTemplate {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const isIP = (s: string) => IPV4.test(s) || (s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s));

/**
 * The certificate a kubelet requests for `nodeName`: CN=system:node:<name>, O=system:nodes,
 * DNS SANs from Hostname/InternalDNS/ExternalDNS addresses (a Hostname that is an IP counts
 * as an IP), IP SANs from InternalIP/ExternalIP, each once and sorted. Undefined without an IP
 * address: upstream requests no serving certificate then.
 */
export function servingTemplate(nodeName: string, addresses: NodeAddress[]): ServingTemplate | undefined {
  const dns = new Set<string>();
  const ips = new Set<string>();
  for (const { type, address } of addresses) {
    if (!address) continue;
    if (type === 'Hostname') (isIP(address) ? ips : dns).add(address);
    else if ((type === 'InternalIP' || type === 'ExternalIP') && isIP(address)) ips.add(address);
    else if (type === 'InternalDNS' || type === 'ExternalDNS') dns.add(address);
  }
  if (!ips.size) return undefined;
  return {
    commonName: `system:node:${nodeName}`,
    organizations: ['system:nodes'],
    dnsNames: [...dns].sort(),
    ipAddresses: [...ips].sort(),
  };
}

/** The kubelet's client certificate: the same subject, no SANs (the signer refuses any). */
export function clientTemplate(nodeName: string): ServingTemplate {
  return {
    commonName: `system:node:${nodeName}`,
    organizations: ['system:nodes'],
    dnsNames: [],
    ipAddresses: [],
  };
}

/** upstream's DefaultKubeletServingGetUsages: key encipherment only for RSA keys. */
export function servingUsages(keyAlgorithm: string): string[] {
  return keyAlgorithm === 'RSA'
    ? ['digital signature', 'key encipherment', 'server auth']
    : ['digital signature', 'server auth'];
}

/** upstream's DefaultKubeletClientGetUsages: key encipherment only for RSA keys. */
export function clientUsages(keyAlgorithm: string): string[] {
  return keyAlgorithm === 'RSA'
    ? ['digital signature', 'key encipherment', 'client auth']
    : ['digital signature', 'client auth'];
}

/** The CertificateSigningRequest the kubelet posts (generateName csr-, as upstream's). */
export function csrObject(
  signerName: string,
  csrPem: string,
  usages: string[],
  expirationSeconds?: number,
): object {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { generateName: 'csr-' },
    spec: {
      request: Buffer.from(csrPem).toString('base64'),
      signerName,
      usages,
      ...(expirationSeconds ? { expirationSeconds } : {}),
    },
  };
}

/** The serving CSR: signer kubernetes.io/kubelet-serving, usages by key type. */
export function servingCSRObject(csrPem: string, keyAlgorithm: string, expirationSeconds?: number): object {
  return csrObject(KUBELET_SERVING_SIGNER, csrPem, servingUsages(keyAlgorithm), expirationSeconds);
}

/**
 * When to rotate a certificate valid from notBefore to notAfter: notBefore plus 70 % to 90 %
 * of its lifetime (upstream's jitter, so that nodes made together do not all renew together).
 * `random` is in [0, 1).
 */
export function rotationDeadline(notBefore: Date, notAfter: Date, random: number = Math.random()): Date {
  const total = notAfter.getTime() - notBefore.getTime();
  return new Date(notBefore.getTime() + total * (0.7 + 0.2 * random));
}

/** Whether a certificate's SANs ('DNS:x'/'IP:y', as sansOf gives) are exactly the template's. */
export function sansMatch(have: string[], want: ServingTemplate): boolean {
  const wanted = [...want.dnsNames.map((d) => `DNS:${d}`), ...want.ipAddresses.map((i) => `IP:${i}`)].sort();
  return [...have].sort().join(',') === wanted.join(',');
}

export type CSRPhase =
  { phase: 'pending' } | { phase: 'issued'; certificate: string } | { phase: 'refused'; reason: string };

interface CSRStatus {
  status?: {
    certificate?: string;
    conditions?: { type: string; status?: string; reason?: string; message?: string }[];
  };
}

/** Where a CSR stands for its requestor: issued, refused (Denied or Failed) or still pending. */
export function csrPhase(csr: CSRStatus): CSRPhase {
  const refused = csr.status?.conditions?.find(
    (c) => (c.type === 'Denied' || c.type === 'Failed') && c.status !== 'False',
  );
  if (refused)
    return {
      phase: 'refused',
      reason: `certificate request was ${refused.type === 'Denied' ? 'denied' : 'failed'}: ${refused.reason ?? ''}${refused.message ? `, ${refused.message}` : ''}`,
    };
  if (csr.status?.certificate)
    return { phase: 'issued', certificate: Buffer.from(csr.status.certificate, 'base64').toString('utf8') };
  return { phase: 'pending' };
}
