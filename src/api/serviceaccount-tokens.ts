// What the API server and the tokens controller agree on about service-account tokens:
// usernames, the legacy issuer and the claims of a Secret-based (legacy) token (upstream's
// k8s.io/apiserver/pkg/authentication/serviceaccount and pkg/serviceaccount/legacy.go).
import type { KubeObject } from './types.js';

/** The issuer of tokens the tokens controller writes into Secrets. */
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';
export const SERVICE_ACCOUNT_TOKEN_SECRET_TYPE = 'kubernetes.io/service-account-token';
export const SERVICE_ACCOUNT_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
export const SERVICE_ACCOUNT_UID_ANNOTATION = 'kubernetes.io/service-account.uid';

export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** upstream's LegacyClaims: no expiry, no audience; valid while the Secret holds the token. */
export function legacyTokenClaims(serviceAccount: KubeObject, secret: KubeObject): Record<string, unknown> {
  const ns = serviceAccount.metadata.namespace ?? '';
  return {
    iss: LEGACY_ISSUER,
    'kubernetes.io/serviceaccount/namespace': ns,
    'kubernetes.io/serviceaccount/secret.name': secret.metadata.name ?? '',
    'kubernetes.io/serviceaccount/service-account.name': serviceAccount.metadata.name ?? '',
    'kubernetes.io/serviceaccount/service-account.uid': serviceAccount.metadata.uid ?? '',
    sub: serviceAccountUsername(ns, serviceAccount.metadata.name ?? ''),
  };
}
