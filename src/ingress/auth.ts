// Basic authentication Secrets (auth-secret), kept per Secret and secret type and rebuilt only
// when the Secret changes (its resourceVersion), so the checked-password cache survives
// reloads. As in ingress-nginx, a missing Secret or an auth-file Secret without the key `auth`
// denies the location (503); lines whose hash format cannot be checked are reported, and
// never match.
import type { OutgoingHttpHeaders } from 'node:http';
import type { KubeObject } from '../api/types.js';
import type { BasicAuth } from './annotations.js';
import { parseHtpasswd, PasswordFile, unsupportedFormat } from './htpasswd.js';

interface Entry {
  resourceVersion: string;
  file?: PasswordFile;
  /** why the location is denied */
  problem?: string;
  /** lines that can never match */
  warnings: string[];
}

export function authKey(a: BasicAuth): string {
  return `${a.secret}|${a.secretType}`;
}

/** The answer to a request without valid credentials: nginx's auth_basic challenge. */
export function challenge(a: BasicAuth): OutgoingHttpHeaders {
  return { 'www-authenticate': `Basic realm="${a.realm}"` };
}

export class AuthStore {
  private readonly entries = new Map<string, Entry>();

  /** Brings the entry up to date; returns the problems worth a Warning on the Ingress. */
  update(a: BasicAuth, secret: KubeObject | undefined): string[] {
    const key = authKey(a);
    if (!secret) {
      this.entries.delete(key);
      return [
        `unexpected error reading secret ${a.secret}: no object matching key "${a.secret}" in local store`,
      ];
    }
    const rv = secret.metadata.resourceVersion ?? '';
    let e = this.entries.get(key);
    if (!e || e.resourceVersion !== rv) {
      e = build(a, secret, rv);
      this.entries.set(key, e);
    }
    return e.problem ? [e.problem] : e.warnings;
  }

  /** Drops the entries no Ingress names any more. */
  retain(keys: Set<string>): void {
    for (const k of this.entries.keys()) if (!keys.has(k)) this.entries.delete(k);
  }

  /** The users of a location's Secret; undefined when the location is denied. */
  file(a: BasicAuth): PasswordFile | undefined {
    return this.entries.get(authKey(a))?.file;
  }
}

function build(a: BasicAuth, secret: KubeObject, resourceVersion: string): Entry {
  const data = (secret.data ?? {}) as Record<string, string>;
  const text = (k: string) => Buffer.from(data[k] ?? '', 'base64').toString('utf8');
  let users: Map<string, string>;
  if (a.secretType === 'auth-file') {
    if (data.auth === undefined)
      return {
        resourceVersion,
        warnings: [],
        problem: `the secret ${secret.metadata.name} does not contain a key with value auth`,
      };
    users = parseHtpasswd(text('auth'));
  } else {
    users = new Map(Object.keys(data).map((u) => [u, text(u).replace(/\r?\n$/, '')]));
  }
  const warnings: string[] = [];
  for (const [user, stored] of users) {
    const why = unsupportedFormat(stored);
    if (why) warnings.push(`secret ${a.secret}: the password of user "${user}" cannot be checked: ${why}`);
  }
  return { resourceVersion, file: new PasswordFile(users), warnings };
}
