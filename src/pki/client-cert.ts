// Whether a client certificate on disk can be used again: it names the wanted user and groups,
// the given CA signed it, and it stays valid for at least another day.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const DAY_MS = 24 * 3600 * 1000;

export interface ClientSubject {
  commonName: string;
  organizations: string[];
}

/** The certificate's CN and O values (the user and groups the x509 authenticator reads). */
export function clientSubjectOf(certPem: string): ClientSubject {
  const name = new x509.X509Certificate(certPem).subjectName;
  return { commonName: name.getField('CN')[0] ?? '', organizations: [...name.getField('O')].sort() };
}

export async function reusableClientCert(
  certPem: string,
  caCertPem: string,
  want: ClientSubject,
  now = Date.now(),
): Promise<boolean> {
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(certPem);
  } catch {
    return false;
  }
  const got = clientSubjectOf(certPem);
  if (got.commonName !== want.commonName) return false;
  if (got.organizations.join(',') !== [...want.organizations].sort().join(',')) return false;
  if (cert.notAfter.getTime() < now + DAY_MS || cert.notBefore.getTime() > now + 60_000) return false;
  const ca = new x509.X509Certificate(caCertPem);
  return cert.verify({ publicKey: ca.publicKey, signatureOnly: true }).catch(() => false);
}
