// Authentication by client certificate (CN = user, O = groups), as kube-apiserver's x509
// authenticator. The TLS layer verifies the chain against the cluster CA (requestCert with
// rejectUnauthorized false, so that token clients connect too); a certificate it did not
// trust is a bad credential (401), not an anonymous request. The chain (authn/chain.ts) adds
// system:authenticated.
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

export function userFromSocket(socket: TLSSocket | undefined): UserInfo | undefined {
  if (!socket || typeof socket.getPeerCertificate !== 'function' || !socket.authorized) return undefined;
  const key = (socket as unknown as { _handle?: object })._handle ?? socket;
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
export function presentedUntrustedCertificate(socket: TLSSocket | undefined): boolean {
  if (!socket || typeof socket.getPeerCertificate !== 'function' || socket.authorized) return false;
  const cert = socket.getPeerCertificate();
  return !!cert && Object.keys(cert).length > 0;
}
