// The kubelet API's authentication and authorization, delegated to the API server as upstream
// (pkg/kubelet/server/auth.go, --authentication-token-webhook, --authorization-mode=Webhook):
// a client certificate signed by the cluster CA names the user (CN) and groups (O); a bearer
// token is checked with a TokenReview; a request without either is system:anonymous. Every
// request is then authorized by a SubjectAccessReview on the node object, subresource picked
// by path (stats, metrics, log, spec, checkpoint, everything else proxy). Answers are cached
// as upstream's defaults: authentication 2 min, allowed 5 min, denied 30 s.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { RestClient } from '../../client/rest.js';
import { userFromSocket } from '../../apiserver/auth/x509.js';

export interface KubeletUser {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface NodeAttributes {
  verb: string;
  resource: 'nodes';
  subresource: string;
  name: string;
}

const AUTHN_TTL_MS = 2 * 60_000;
const ALLOWED_TTL_MS = 5 * 60_000;
const DENIED_TTL_MS = 30_000;

const VERBS: Record<string, string> = {
  POST: 'create',
  GET: 'get',
  HEAD: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

function isSubpath(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** The node attributes upstream's kubelet authorizes a request with. */
export function nodeAttributes(method: string, path: string, nodeName: string): NodeAttributes {
  let subresource = 'proxy';
  if (isSubpath(path, '/stats')) subresource = 'stats';
  else if (isSubpath(path, '/metrics')) subresource = 'metrics';
  else if (isSubpath(path, '/logs')) subresource = 'log';
  else if (isSubpath(path, '/checkpoint')) subresource = 'checkpoint';
  else if (isSubpath(path, '/spec')) subresource = 'spec';
  return { verb: VERBS[method.toUpperCase()] ?? '', resource: 'nodes', subresource, name: nodeName };
}

/** upstream's text for a denied request */
export function forbiddenMessage(user: KubeletUser, a: NodeAttributes): string {
  return `Forbidden (user=${user.name}, verb=${a.verb}, resource=${a.resource}, subresource=${a.subresource})`;
}

export class Unauthorized extends Error {}

class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.until < Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }
  set(key: string, value: V, ttlMs: number): void {
    if (this.entries.size > 10_000) this.entries.clear(); // bounded; a miss only costs one review
    this.entries.set(key, { value, until: Date.now() + ttlMs });
  }
}

interface TokenReviewStatus {
  authenticated?: boolean;
  user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  error?: string;
}

export class KubeletAuth {
  private readonly tokens = new TtlCache<KubeletUser | null>();
  private readonly decisions = new TtlCache<boolean>();

  constructor(private readonly client: RestClient) {}

  /** Throws Unauthorized for a bad credential. */
  async authenticate(req: IncomingMessage): Promise<KubeletUser> {
    const fromCert = userFromSocket(req.socket as TLSSocket);
    if (fromCert) return { name: fromCert.name, groups: [...fromCert.groups, 'system:authenticated'] };
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!m) return { name: 'system:anonymous', groups: ['system:unauthenticated'] };
    const token = m[1];
    let user = this.tokens.get(token);
    if (user === undefined) {
      const r = await this.client.request<{ status?: TokenReviewStatus }>(
        'POST',
        '/apis/authentication.k8s.io/v1/tokenreviews',
        { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
      );
      const s = r.status;
      user =
        s?.authenticated && s.user?.username
          ? {
              name: s.user.username,
              groups: s.user.groups ?? [],
              ...(s.user.uid ? { uid: s.user.uid } : {}),
              ...(s.user.extra ? { extra: s.user.extra } : {}),
            }
          : null;
      this.tokens.set(token, user, AUTHN_TTL_MS);
    }
    if (!user) throw new Unauthorized('Unauthorized');
    return user;
  }

  async authorize(user: KubeletUser, a: NodeAttributes): Promise<boolean> {
    const key = JSON.stringify([user.name, user.uid, user.groups, user.extra, a]);
    const known = this.decisions.get(key);
    if (known !== undefined) return known;
    const r = await this.client.request<{ status?: { allowed?: boolean } }>(
      'POST',
      '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: user.name,
          groups: user.groups,
          ...(user.uid ? { uid: user.uid } : {}),
          ...(user.extra ? { extra: user.extra } : {}),
          resourceAttributes: {
            verb: a.verb,
            group: '',
            version: 'v1',
            resource: a.resource,
            subresource: a.subresource,
            name: a.name,
          },
        },
      },
    );
    const allowed = r.status?.allowed === true;
    this.decisions.set(key, allowed, allowed ? ALLOWED_TTL_MS : DENIED_TTL_MS);
    return allowed;
  }
}
