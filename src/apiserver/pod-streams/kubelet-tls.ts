// How the API server checks a kubelet's serving certificate (--kubelet-certificate-authority):
// without the flag, not at all (upstream's default); with it, the certificate must chain to that
// CA and name the address dialled. A failed check reads as Go's crypto/tls and crypto/x509 say
// it, which is what upstream's answers carry (`tls: failed to verify certificate: x509: ...`).
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { PeerCertificate } from 'node:tls';
import type { KubeletClientCert } from './register.js';

/** TLS options for a connection to a kubelet. */
export function kubeletTLS(cert: KubeletClientCert): {
  cert: string;
  key: string;
  ca?: string;
  rejectUnauthorized: boolean;
} {
  return {
    cert: cert.certPem,
    key: cert.keyPem,
    ...(cert.ca !== undefined ? { ca: cert.ca } : {}),
    rejectUnauthorized: cert.ca !== undefined,
  };
}

/** Go's time.Time String() for a UTC instant, as x509's CertificateInvalidError prints it. */
function goTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Go's x509.HostnameError text for `host` against the certificate's SANs. */
function hostnameError(host: string, cert: PeerCertificate | undefined): string {
  const sans = (cert?.subjectaltname ?? '').split(/,\s*/).filter(Boolean);
  const ips = sans.filter((s) => s.startsWith('IP Address:')).map((s) => s.slice('IP Address:'.length));
  const dns = sans.filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
  if (/^[\d.]+$/.test(host) || host.includes(':')) {
    if (!ips.length)
      return `x509: cannot validate certificate for ${host} because it doesn't contain any IP SANs`;
    return `x509: certificate is valid for ${ips.join(', ')}, not ${host}`;
  }
  if (!dns.length) return `x509: certificate is not valid for any names, but wanted to match ${host}`;
  return `x509: certificate is valid for ${dns.join(', ')}, not ${host}`;
}

const UNKNOWN_AUTHORITY = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
]);

/**
 * Go's text for a failed kubelet certificate check (`tls: failed to verify certificate: x509:
 * ...`), or undefined when err is no verification failure (a refused connection, a timeout).
 * `peer` is the certificate the kubelet presented, where the socket still has it.
 */
export function verificationFailure(err: Error, host: string, peer?: PeerCertificate): string | undefined {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  let x509: string;
  if (UNKNOWN_AUTHORITY.has(code)) x509 = 'x509: certificate signed by unknown authority';
  else if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    x509 = hostnameError(host, (err as { cert?: PeerCertificate }).cert ?? peer);
  else if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    const now = new Date();
    const bound = code === 'CERT_HAS_EXPIRED' ? peer?.valid_to : peer?.valid_from;
    x509 = bound
      ? `x509: certificate has expired or is not yet valid: current time ${goTime(now)} is ${code === 'CERT_HAS_EXPIRED' ? 'after' : 'before'} ${goTime(new Date(bound))}`
      : 'x509: certificate has expired or is not yet valid';
  } else return undefined;
  return `tls: failed to verify certificate: ${x509}`;
}

/**
 * The PEM bundle of --kubelet-certificate-authority, checked at start: a file that is missing
 * or holds no certificate stops the server rather than failing every kubelet connection later.
 */
export function loadKubeletCA(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`invalid --kubelet-certificate-authority "${path}": ${(err as Error).message}`);
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (!blocks.length)
    throw new Error(`invalid --kubelet-certificate-authority "${path}": no certificate found`);
  for (const b of blocks) {
    try {
      new X509Certificate(b);
    } catch (err) {
      throw new Error(`invalid --kubelet-certificate-authority "${path}": ${(err as Error).message}`);
    }
  }
  return text;
}
