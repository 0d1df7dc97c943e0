// TLS contexts from kubernetes.io/tls Secrets, kept per Secret and rebuilt only when the Secret
// changes (its resourceVersion), so a reload swaps contexts in place while the listener stays
// open. A Secret that is missing, of another type or not a valid key pair has no context: the
// host gets the default certificate, and the reason is reported once per Secret version.
import { createSecureContext, type SecureContext } from 'node:tls';
import type { KubeObject } from '../api/types.js';

interface Entry {
  resourceVersion: string;
  context?: SecureContext;
  problem?: string;
}

export class CertificateStore {
  private readonly entries = new Map<string, Entry>();

  constructor(readonly defaultContext: SecureContext) {}

  /** Brings the entry of a Secret up to date; returns why it is unusable, if it is. */
  update(key: string, secret: KubeObject | undefined): string | undefined {
    if (!secret) {
      this.entries.delete(key);
      return `local SSL certificate ${key} was not found. Using default certificate`;
    }
    const rv = secret.metadata.resourceVersion ?? '';
    let e = this.entries.get(key);
    if (!e || e.resourceVersion !== rv) {
      e = build(key, secret, rv);
      this.entries.set(key, e);
    }
    return e.problem;
  }

  /** Drops the contexts of Secrets no Ingress names any more. */
  retain(keys: Set<string>): void {
    for (const k of this.entries.keys()) if (!keys.has(k)) this.entries.delete(k);
  }

  context(key: string): SecureContext {
    return this.entries.get(key)?.context ?? this.defaultContext;
  }
}

function build(key: string, secret: KubeObject, resourceVersion: string): Entry {
  const data = (secret.data ?? {}) as Record<string, string>;
  if (secret.type !== 'kubernetes.io/tls' && !(data['tls.crt'] && data['tls.key']))
    return {
      resourceVersion,
      problem: `secret ${key} is not of type kubernetes.io/tls. Using default certificate`,
    };
  const cert = Buffer.from(data['tls.crt'] ?? '', 'base64');
  const keyPem = Buffer.from(data['tls.key'] ?? '', 'base64');
  try {
    return { resourceVersion, context: createSecureContext({ cert, key: keyPem }) };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return {
      resourceVersion,
      problem: `invalid certificate in secret ${key}: ${why}. Using default certificate`,
    };
  }
}
