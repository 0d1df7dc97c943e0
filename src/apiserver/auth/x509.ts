// Authentication by client certificate (CN = user, O = groups), as kube-apiserver's x509
// authenticator. Either the TLS layer verified the chain (a server given `ca`: the kubelet's), or
// the API server checks it here against the cluster CA: its TLS server is given no `ca`, since
// OpenSSL would then also send the CA along with the serving certificate, which upstream does
// not (curl without --cacert then reports "unable to get local issuer certificate", seed
// API-03). Either way requestCert is on with rejectUnauthorized false, so that token clients
// connect too; a certificate that is not trusted is a bad credential (401), not an anonymous
// request. The chain (authn/chain.ts) adds system:authenticated.
import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { UserInfo } from '../endpoints/context.js';

/** Paths anonymous clients may read (upstream's system:public-info-viewer). */
export const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/']);

export function isPublicPath(path: string): boolean {
  return PUBLIC_PATHS.has(path) || /^\/(healthz|livez|readyz)\//.test(path);
}

function asList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** A connection's client certificate does not change: read it once per TLS socket. */
const byCertificate = new WeakMap<object, UserInfo | null>();
const trustedByCA = new WeakMap<object, boolean>();

const socketKey = (socket: TLSSocket): object =>
  (socket as unknown as { _handle?: object })._handle ?? socket;

/** Extended key usage OID of TLS client authentication. */
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/**
 * Whether the certificate the client proved it holds (the handshake checked its signature) was
 * issued by `ca`, is within its validity and may authenticate clients: what OpenSSL's client
 * verification checks for certificates the CA signs directly, as k8ts's signer issues them.
 */
function issuedBy(socket: TLSSocket, ca: X509Certificate): boolean {
  const key = socketKey(socket);
  const known = trustedByCA.get(key);
  if (known !== undefined) return known;
  const peer =
    typeof socket.getPeerX509Certificate === 'function' ? socket.getPeerX509Certificate() : undefined;
  let ok = false;
  if (peer) {
    const now = Date.now();
    ok =
      peer.checkIssued(ca) &&
      peer.verify(ca.publicKey) &&
      Date.parse(peer.validFrom) <= now &&
      now <= Date.parse(peer.validTo) &&
      (!peer.keyUsage || peer.keyUsage.includes(CLIENT_AUTH));
  }
  trustedByCA.set(key, ok);
  return ok;
}

/** The TLS layer verified the client's certificate, or `ca` (when given) issued it. */
function trusted(socket: TLSSocket, ca: X509Certificate | undefined): boolean {
  return socket.authorized || (ca !== undefined && issuedBy(socket, ca));
}

export function userFromSocket(socket: TLSSocket | undefined, ca?: X509Certificate): UserInfo | undefined {
  if (!socket || typeof socket.getPeerCertificate !== 'function' || !trusted(socket, ca)) return undefined;
  const key = socketKey(socket);
  const known = byCertificate.get(key);
  if (known !== undefined) return known ?? undefined;
  const user = readUser(socket);
  byCertificate.set(key, user ?? null);
  return user;
}

function readUser(socket: TLSSocket): UserInfo | undefined {
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.subject) return undefined;
  const cn = asList(cert.subject.CN)[0];
  if (!cn) return undefined;
  return { name: cn, groups: [...asList(cert.subject.O)] };
}

/** The client sent a certificate the TLS layer could not verify (expired, another CA, ...). */
export function presentedUntrustedCertificate(socket: TLSSocket | undefined, ca?: X509Certificate): boolean {
  if (!socket || typeof socket.getPeerCertificate !== 'function' || trusted(socket, ca)) return false;
  const cert = socket.getPeerCertificate();
  return !!cert && Object.keys(cert).length > 0;
}
