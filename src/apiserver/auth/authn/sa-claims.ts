// The claims of service-account tokens, as upstream's pkg/serviceaccount builds them (bound
// tokens: claims.go; Secret-based legacy tokens: legacy.go), and the user a token stands for.
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../../api/types.js';
import type { UserInfo } from '../../endpoints/context.js';
import { serviceAccountUsername } from '../../../api/serviceaccount-tokens.js';

export {
  LEGACY_ISSUER,
  legacyTokenClaims,
  serviceAccountUsername,
} from '../../../api/serviceaccount-tokens.js';

/** kube-apiserver's --service-account-issuer as k3s sets it. */
export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** A pod-bound token asked for exactly this long is the projected-volume default (3607 s)… */
export const WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS = 60 * 60 + 7;
/** …and is made valid for a year, warning (not failing) after the hour (--service-account-extend-token-expiration). */
export const EXPIRATION_EXTENSION_SECONDS = 24 * 365 * 60 * 60;

export const EXTRA_POD_NAME = 'authentication.kubernetes.io/pod-name';
export const EXTRA_POD_UID = 'authentication.kubernetes.io/pod-uid';
export const EXTRA_NODE_NAME = 'authentication.kubernetes.io/node-name';
export const EXTRA_NODE_UID = 'authentication.kubernetes.io/node-uid';
export const EXTRA_CREDENTIAL_ID = 'authentication.kubernetes.io/credential-id';

export interface Ref {
  name?: string;
  uid?: string;
}

/** The private "kubernetes.io" claim of a bound token. */
export interface KubernetesClaim {
  namespace?: string;
  serviceaccount?: Ref;
  pod?: Ref;
  secret?: Ref;
  node?: Ref;
  warnafter?: number;
}

export interface BoundObjects {
  pod?: KubeObject;
  secret?: KubeObject;
  node?: KubeObject;
}

/** Namespace and name of a `system:serviceaccount:<ns>:<name>` user, else undefined. */
export function splitServiceAccountUsername(user: string): { namespace: string; name: string } | undefined {
  const prefix = 'system:serviceaccount:';
  if (!user.startsWith(prefix)) return undefined;
  const parts = user.slice(prefix.length).split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { namespace: parts[0], name: parts[1] };
}

export function serviceAccountGroups(namespace: string): string[] {
  return ['system:serviceaccounts', `system:serviceaccounts:${namespace}`];
}

function ref(o: KubeObject): Ref {
  const r: Ref = {};
  if (o.metadata.name) r.name = o.metadata.name;
  if (o.metadata.uid) r.uid = o.metadata.uid;
  return r;
}

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** upstream's token.Claims: the claims of a token for `sa`, bound to at most one object (a pod may bring its node). */
export function boundTokenClaims(opts: {
  issuer: string;
  serviceAccount: KubeObject;
  bound: BoundObjects;
  expirationSeconds: number;
  warnAfterSeconds?: number;
  audiences: string[];
  now: Date;
}): Record<string, unknown> {
  const { serviceAccount: sa, bound, now } = opts;
  const ns = sa.metadata.namespace ?? '';
  const k8s: KubernetesClaim = { namespace: ns, serviceaccount: ref(sa) };
  if (bound.secret && (bound.pod || bound.node))
    throw new Error('internal error, token can only be bound to one object type');
  if (bound.pod) {
    k8s.pod = ref(bound.pod);
    if (bound.node) k8s.node = ref(bound.node);
  } else if (bound.secret) k8s.secret = ref(bound.secret);
  else if (bound.node) k8s.node = ref(bound.node);
  if (opts.warnAfterSeconds) k8s.warnafter = seconds(now) + opts.warnAfterSeconds;
  const iat = seconds(now);
  return {
    aud: opts.audiences.length === 1 ? opts.audiences[0] : opts.audiences,
    exp: iat + opts.expirationSeconds,
    iat,
    iss: opts.issuer,
    jti: randomUUID(),
    'kubernetes.io': k8s,
    nbf: iat,
    sub: serviceAccountUsername(ns, sa.metadata.name ?? ''),
  };
}

export interface ServiceAccountInfo {
  namespace: string;
  name: string;
  uid: string;
  podName?: string;
  podUID?: string;
  nodeName?: string;
  nodeUID?: string;
  credentialID?: string;
}

/** upstream's ServiceAccountInfo.UserInfo. */
export function serviceAccountUser(sa: ServiceAccountInfo): UserInfo {
  const user: UserInfo = {
    name: serviceAccountUsername(sa.namespace, sa.name),
    uid: sa.uid,
    groups: serviceAccountGroups(sa.namespace),
  };
  const extra: Record<string, string[]> = {};
  if (sa.podName && sa.podUID) {
    extra[EXTRA_POD_NAME] = [sa.podName];
    extra[EXTRA_POD_UID] = [sa.podUID];
  }
  if (sa.credentialID) extra[EXTRA_CREDENTIAL_ID] = [sa.credentialID];
  if (sa.nodeName) {
    extra[EXTRA_NODE_NAME] = [sa.nodeName];
    if (sa.nodeUID) extra[EXTRA_NODE_UID] = [sa.nodeUID];
  }
  if (Object.keys(extra).length) user.extra = extra;
  return user;
}
