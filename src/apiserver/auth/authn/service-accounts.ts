// Service-account tokens: issuing bound tokens (TokenRequest) and authenticating both bound
// tokens and the Secret-based legacy ones, as upstream's pkg/serviceaccount (jwt.go, claims.go,
// legacy.go). A token is refused when its signature, issuer, time window or audience is wrong,
// or when the service account, or the pod/secret/node it is bound to, is gone or was recreated
// (different uid).
import { timingSafeEqual, type KeyObject } from 'node:crypto';
import type { KubeObject } from '../../../api/types.js';
import { parseJWT, signJWT, TokenError, verifySignature, type ParsedJWT } from '../../../pki/jwt.js';
import type { SigningKey } from '../../../pki/service-account-key.js';
import {
  boundTokenClaims,
  LEGACY_ISSUER,
  serviceAccountUser,
  splitServiceAccountUsername,
  type BoundObjects,
  type KubernetesClaim,
  type Ref,
  type ServiceAccountInfo,
} from './sa-claims.js';
import type { ObjectGetter, TokenAuthenticator, TokenResult } from './types.js';
import { logger } from '../../../util/log.js';

const log = logger('authentication');

/** go-jose's DefaultLeeway: clock skew tolerated on exp/nbf/iat and on deletions. */
const LEEWAY_SECONDS = 60;
const LEGACY_INVALID_SINCE_LABEL = 'kubernetes.io/legacy-token-invalid-since';
/** The day (UTC, YYYY-MM-DD) a legacy token was last used, kept on its Secret as upstream does. */
export const LEGACY_LAST_USED_LABEL = 'kubernetes.io/legacy-token-last-used';

export interface ServiceAccountTokenOptions {
  /** The issuer of the tokens this server makes. */
  issuer: string;
  /** Issuers whose tokens are accepted (the issuer's by default; more while migrating). */
  acceptedIssuers?: string[];
  /** The API server's own audiences (--api-audiences; the issuer by default). */
  apiAudiences: string[];
  key: SigningKey;
  /** Extra public keys that verify (rotation: tokens signed by a previous key). */
  extraPublicKeys?: KeyObject[];
  getter: ObjectGetter;
  /** Sets a label on a Secret (legacy-token-last-used); failures are only logged. */
  labelSecret?: (namespace: string, name: string, key: string, value: string) => Promise<void>;
  now?: () => Date;
}

export class ServiceAccountTokens {
  readonly issuer: string;
  readonly apiAudiences: string[];
  readonly publicKeys: KeyObject[];
  private readonly acceptedIssuers: Set<string>;
  private readonly lastUsedMarked = new Map<string, string>();
  private readonly now: () => Date;

  constructor(private readonly opts: ServiceAccountTokenOptions) {
    this.issuer = opts.issuer;
    this.acceptedIssuers = new Set([opts.issuer, ...(opts.acceptedIssuers ?? [])]);
    this.apiAudiences = opts.apiAudiences;
    this.publicKeys = [opts.key.publicKey, ...(opts.extraPublicKeys ?? [])];
    this.now = opts.now ?? (() => new Date());
  }

  /** Signs a bound token; returns it with the claims it carries. */
  issue(
    serviceAccount: KubeObject,
    bound: BoundObjects,
    expirationSeconds: number,
    audiences: string[],
    warnAfterSeconds?: number,
    now = this.now(),
  ): { token: string; claims: Record<string, unknown> } {
    const claims = boundTokenClaims({
      issuer: this.issuer,
      serviceAccount,
      bound,
      expirationSeconds,
      warnAfterSeconds,
      audiences,
      now,
    });
    return { token: signJWT(claims, this.opts.key.privateKey), claims };
  }

  /** Authenticates tokens of our issuer and legacy Secret tokens. */
  readonly authenticator: TokenAuthenticator = {
    authenticateToken: (token, audiences) => this.authenticate(token, audiences),
  };

  private async authenticate(token: string, requested: string[]): Promise<TokenResult | undefined> {
    const jwt = parseJWT(token);
    if (!jwt) return undefined;
    const iss = jwt.claims.iss;
    const legacy = iss === LEGACY_ISSUER;
    if (!legacy && !(typeof iss === 'string' && this.acceptedIssuers.has(iss))) return undefined;
    verifySignature(jwt, this.publicKeys);
    let tokenAudiences = audiencesOf(jwt.claims.aud);
    // tokens without an audience (legacy ones) are for the API server only
    if (tokenAudiences.length === 0) tokenAudiences = this.apiAudiences;
    const accepted = tokenAudiences.filter((a) => requested.includes(a));
    if (accepted.length === 0)
      throw new TokenError(
        `token audiences ${goList(tokenAudiences)} is invalid for the target audiences ${goList(requested)}`,
      );
    const info = legacy ? await this.validateLegacy(token, jwt) : await this.validateBound(jwt);
    return { user: serviceAccountUser(info), audiences: accepted };
  }

  private checkTimes(claims: Record<string, unknown>): void {
    const now = this.now().getTime() / 1000;
    const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
    const nbf = num(claims.nbf);
    const exp = num(claims.exp);
    const iat = num(claims.iat);
    if (nbf !== undefined && now + LEEWAY_SECONDS < nbf)
      throw new TokenError('service account token is not valid yet');
    if (exp !== undefined && now - LEEWAY_SECONDS > exp)
      throw new TokenError('service account token has expired');
    if (iat !== undefined && now + LEEWAY_SECONDS < iat)
      throw new TokenError('service account token is issued in the future');
  }

  /** True when `o` was deleted (deletionTimestamp) more than the leeway ago. */
  private deletedLongAgo(o: KubeObject): boolean {
    const ts = o.metadata.deletionTimestamp;
    if (!ts) return false;
    return Date.parse(ts) < this.now().getTime() - LEEWAY_SECONDS * 1000;
  }

  private async validateBound(jwt: ParsedJWT): Promise<ServiceAccountInfo> {
    this.checkTimes(jwt.claims);
    const k8s = (jwt.claims['kubernetes.io'] ?? {}) as KubernetesClaim;
    const ns = k8s.namespace ?? '';
    const saRef = k8s.serviceaccount ?? {};
    const sa = await this.opts.getter('serviceaccounts', ns, saRef.name ?? '');
    if (!sa) throw new TokenError(`serviceaccounts "${saRef.name ?? ''}" not found`);
    if (sa.metadata.uid !== saRef.uid)
      throw new TokenError(
        `service account UID (${sa.metadata.uid ?? ''}) does not match claim (${saRef.uid ?? ''})`,
      );
    if (this.deletedLongAgo(sa)) throw new TokenError(`service account ${ns}/${saRef.name} has been deleted`);
    const info: ServiceAccountInfo = { namespace: ns, name: saRef.name ?? '', uid: saRef.uid ?? '' };
    if (k8s.secret) await this.checkBound('secrets', ns, k8s.secret);
    if (k8s.pod) {
      await this.checkBound('pods', ns, k8s.pod);
      info.podName = k8s.pod.name ?? '';
      info.podUID = k8s.pod.uid ?? '';
      // a pod-bound token names its pod's node for information only
      if (k8s.node) {
        info.nodeName = k8s.node.name ?? '';
        info.nodeUID = k8s.node.uid ?? '';
      }
    } else if (k8s.node) {
      await this.checkBound('nodes', undefined, k8s.node);
      info.nodeName = k8s.node.name ?? '';
      info.nodeUID = k8s.node.uid ?? '';
    }
    if (typeof jwt.claims.jti === 'string' && jwt.claims.jti) info.credentialID = `JTI=${jwt.claims.jti}`;
    return info;
  }

  /** The object a token is bound to must still be there, with the same uid, not long deleted. */
  private async checkBound(
    resource: 'secrets' | 'pods' | 'nodes',
    namespace: string | undefined,
    claimed: Ref,
  ): Promise<void> {
    const o = await this.opts.getter(resource, namespace, claimed.name ?? '');
    if (!o) throw new TokenError('service account token has been invalidated');
    if (o.metadata.uid !== claimed.uid) {
      const what = { secrets: 'secret', pods: 'pod', nodes: 'node' }[resource];
      throw new TokenError(
        `${what} UID (${o.metadata.uid ?? ''}) does not match service account ${what} ref claim (${claimed.uid ?? ''})`,
      );
    }
    if (this.deletedLongAgo(o)) throw new TokenError('service account token has been invalidated');
  }

  private async validateLegacy(token: string, jwt: ParsedJWT): Promise<ServiceAccountInfo> {
    const c = jwt.claims;
    const str = (k: string) => (typeof c[k] === 'string' ? (c[k] as string) : '');
    const namespace = str('kubernetes.io/serviceaccount/namespace');
    const secretName = str('kubernetes.io/serviceaccount/secret.name');
    const saName = str('kubernetes.io/serviceaccount/service-account.name');
    const saUID = str('kubernetes.io/serviceaccount/service-account.uid');
    if (!str('sub')) throw new TokenError('sub claim is missing');
    if (!namespace) throw new TokenError('namespace claim is missing');
    if (!secretName) throw new TokenError('secretName claim is missing');
    if (!saName) throw new TokenError('serviceAccountName claim is missing');
    if (!saUID) throw new TokenError('serviceAccountUID claim is missing');
    const subject = splitServiceAccountUsername(str('sub'));
    if (!subject || subject.namespace !== namespace || subject.name !== saName)
      throw new TokenError('sub claim is invalid');
    const secret = await this.opts.getter('secrets', namespace, secretName);
    if (!secret || secret.metadata.deletionTimestamp) throw new TokenError('Token has been invalidated');
    if (secret.metadata.labels?.[LEGACY_INVALID_SINCE_LABEL])
      throw new TokenError('Token has been invalidated');
    const stored = Buffer.from(
      String((secret.data as Record<string, unknown> | undefined)?.token ?? ''),
      'base64',
    );
    const given = Buffer.from(token);
    if (stored.length !== given.length || !timingSafeEqual(stored, given))
      throw new TokenError("Token does not match server's copy");
    const today = this.now().toISOString().slice(0, 10);
    const marked = `${namespace}/${secretName}`;
    if (
      this.opts.labelSecret &&
      secret.metadata.labels?.[LEGACY_LAST_USED_LABEL] !== today &&
      this.lastUsedMarked.get(marked) !== today
    ) {
      // once a day per Secret, even while the cache has not seen the label yet
      if (this.lastUsedMarked.size > 10_000) this.lastUsedMarked.clear();
      this.lastUsedMarked.set(marked, today);
      this.opts.labelSecret(namespace, secretName, LEGACY_LAST_USED_LABEL, today).catch((err: unknown) =>
        log.warn('could not record the use of a legacy token', {
          secret: `${namespace}/${secretName}`,
          error: String(err),
        }),
      );
    }
    const sa = await this.opts.getter('serviceaccounts', namespace, saName);
    if (!sa) throw new TokenError(`serviceaccounts "${saName}" not found`);
    if (sa.metadata.deletionTimestamp)
      throw new TokenError(`ServiceAccount ${namespace}/${saName} has been deleted`);
    if (sa.metadata.uid !== saUID)
      throw new TokenError(`ServiceAccount UID (${sa.metadata.uid ?? ''}) does not match claim (${saUID})`);
    return { namespace, name: saName, uid: saUID };
  }
}

function audiencesOf(aud: unknown): string[] {
  if (typeof aud === 'string') return aud ? [aud] : [];
  if (Array.isArray(aud)) return aud.filter((a): a is string => typeof a === 'string');
  return [];
}

/** How Go's %q prints a []string: ["a" "b"]. */
function goList(values: string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;
}
