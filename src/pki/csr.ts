// PKCS#10 certificate requests: parsing and signature checking as upstream's
// certificates.ParseCSR + CheckSignature (synchronous, for API validation), and issuing a
// certificate for one from a CA as upstream's csrsigning controller does (subject and SANs
// copied from the request, key usages from spec.usages).
import 'reflect-metadata';
import { createPublicKey, verify, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { Issuer } from './certs.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export interface ParsedCSR {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
  /** 'RSA', 'ECDSA' or 'Ed25519' (which usages a kubelet may ask for depends on it). */
  keyAlgorithm: string;
  request: x509.Pkcs10CertificateRequest;
}

/** The value bytes of the first element of a DER SEQUENCE (the CSR's certificationRequestInfo). */
function firstElement(der: Uint8Array): Uint8Array {
  const lengthAt = (pos: number): { len: number; header: number } => {
    const b = der[pos + 1];
    if (b < 0x80) return { len: b, header: 2 };
    const n = b & 0x7f;
    let len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[pos + 2 + i];
    return { len, header: 2 + n };
  };
  const outer = lengthAt(0);
  const start = outer.header;
  const inner = lengthAt(start);
  return der.subarray(start, start + inner.header + inner.len);
}

const SAN_OID = '2.5.29.17';

function sanOf(request: x509.Pkcs10CertificateRequest): x509.SubjectAlternativeNameExtension | undefined {
  const ext = request.extensions.find((e) => e.type === SAN_OID);
  if (!ext) return undefined;
  return ext instanceof x509.SubjectAlternativeNameExtension
    ? ext
    : new x509.SubjectAlternativeNameExtension(ext.rawData);
}

const HASHES: Record<string, string> = {
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

/** Parses a PEM CSR and checks its signature; throws upstream's messages. */
export function parseCSR(pem: string): ParsedCSR {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m || m[1] !== 'CERTIFICATE REQUEST') throw new Error('PEM block type must be CERTIFICATE REQUEST');
  const der = Buffer.from(m[2].replace(/\s+/g, ''), 'base64');
  let request: x509.Pkcs10CertificateRequest;
  try {
    request = new x509.Pkcs10CertificateRequest(der);
  } catch (err) {
    throw new Error(`asn1: structure error: ${(err as Error).message}`);
  }
  const alg = request.publicKey.algorithm as { name: string };
  const keyAlgorithm = alg.name.startsWith('RSA') ? 'RSA' : alg.name === 'ECDSA' ? 'ECDSA' : alg.name;
  const sigAlg = request.signatureAlgorithm as { name: string; hash?: { name: string } };
  const hash = sigAlg.hash ? HASHES[sigAlg.hash.name] : undefined;
  const key = createPublicKey({ key: Buffer.from(request.publicKey.rawData), format: 'der', type: 'spki' });
  const ok = verify(
    hash ?? null,
    firstElement(der),
    sigAlg.name === 'RSA-PSS' ? { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */ } : key,
    Buffer.from(request.signature),
  );
  if (!ok)
    throw new Error(
      keyAlgorithm === 'RSA' ? 'crypto/rsa: verification error' : 'x509: ECDSA verification failure',
    );
  const san = sanOf(request);
  const names = san?.names.items ?? [];
  const of = (t: string) => names.filter((n) => n.type === t).map((n) => n.value);
  return {
    commonName: request.subjectName.getField('CN')[0] ?? '',
    organizations: request.subjectName.getField('O'),
    dnsNames: of('dns'),
    ipAddresses: of('ip'),
    emailAddresses: of('email'),
    uris: of('url'),
    keyAlgorithm,
    request,
  };
}

const KEY_USAGES: Record<string, number> = {
  signing: x509.KeyUsageFlags.digitalSignature,
  'digital signature': x509.KeyUsageFlags.digitalSignature,
  'content commitment': x509.KeyUsageFlags.nonRepudiation,
  'key encipherment': x509.KeyUsageFlags.keyEncipherment,
  'key agreement': x509.KeyUsageFlags.keyAgreement,
  'data encipherment': x509.KeyUsageFlags.dataEncipherment,
  'cert sign': x509.KeyUsageFlags.keyCertSign,
  'crl sign': x509.KeyUsageFlags.cRLSign,
  'encipher only': x509.KeyUsageFlags.encipherOnly,
  'decipher only': x509.KeyUsageFlags.decipherOnly,
};
const EXT_KEY_USAGES: Record<string, string> = {
  any: '2.5.29.37.0',
  'server auth': x509.ExtendedKeyUsage.serverAuth,
  'client auth': x509.ExtendedKeyUsage.clientAuth,
  'code signing': x509.ExtendedKeyUsage.codeSigning,
  'email protection': x509.ExtendedKeyUsage.emailProtection,
  's/mime': x509.ExtendedKeyUsage.emailProtection,
  'ipsec end system': '1.3.6.1.5.5.7.3.5',
  'ipsec tunnel': '1.3.6.1.5.5.7.3.6',
  'ipsec user': '1.3.6.1.5.5.7.3.7',
  timestamping: x509.ExtendedKeyUsage.timeStamping,
  'ocsp signing': x509.ExtendedKeyUsage.ocspSigning,
  'microsoft sgc': '1.3.6.1.4.1.311.10.3.3',
  'netscape sgc': '2.16.840.1.113730.4.1',
};

/** upstream's csrsigning backdate: certificates are valid from 5 minutes ago (clock skew). */
const BACKDATE_MS = 5 * 60_000;
/** Below this lifetime the end is not backdated too (upstream's Short: 8 h; 5 min is ~1 % of it). */
const SHORT_MS = 8 * 3600_000;

/**
 * Validity of a certificate signed now for ttlMs, as upstream's PermissiveSigningPolicy: from
 * `now - 5 min`; until `now + ttl` for short lifetimes, else `now + ttl - 5 min` (a year is a
 * year from notBefore); never past the CA's own end.
 */
export function signingWindow(
  now: number,
  ttlMs: number,
  caNotAfter: number,
): { notBefore: Date; notAfter: Date } {
  const end = ttlMs < SHORT_MS ? now + ttlMs : now + ttlMs - BACKDATE_MS;
  return { notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(Math.min(end, caNotAfter)) };
}

function serial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
    .toString('hex')
    .replace(/^[89a-f]/, '1');
}

/** Issues a certificate for csr, valid for ttlMs (capped at the CA's own expiry). */
export async function signCSR(ca: Issuer, csr: ParsedCSR, usages: string[], ttlMs: number): Promise<string> {
  const { notBefore, notAfter } = signingWindow(Date.now(), ttlMs, ca.cert.notAfter.getTime());
  let keyUsage = 0;
  const eku: string[] = [];
  for (const u of usages) {
    if (KEY_USAGES[u] !== undefined) keyUsage |= KEY_USAGES[u];
    else if (EXT_KEY_USAGES[u]) eku.push(EXT_KEY_USAGES[u]);
  }
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(false, undefined, true)];
  if (keyUsage) extensions.push(new x509.KeyUsagesExtension(keyUsage, true));
  if (eku.length) extensions.push(new x509.ExtendedKeyUsageExtension([...new Set(eku)], false));
  extensions.push(await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey, false));
  const san = sanOf(csr.request);
  if (san?.names.items.length)
    extensions.push(new x509.SubjectAlternativeNameExtension(san.names.toJSON(), false));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: csr.request.subjectName,
    issuer: ca.cert.subjectName,
    notBefore,
    notAfter,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
    publicKey: csr.request.publicKey,
    signingKey: ca.key,
    extensions,
  });
  return cert.toString('pem') + '\n';
}
