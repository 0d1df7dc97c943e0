// The authentication flags of `k8ts server`, named as kube-apiserver names them (k3s passes
// them with --kube-apiserver-arg; we take them directly).
import { resolve } from 'node:path';
import type { AuthenticationFlags } from '../apiserver/auth/index.js';
import { serviceAccountKeyPath } from '../pki/service-account-key.js';
import { parseDuration } from './token.js';

export const AUTH_FLAGS_HELP = `  --token-auth-file FILE         Static bearer tokens, CSV: token,user,uid,"group1,group2"
  --service-account-issuer URL   Issuer of service-account tokens (repeatable: the first issues, all are accepted;
                                 default https://kubernetes.default.svc.cluster.local)
  --api-audiences LIST           Audiences the API server accepts, comma-separated (default: the issuer)
  --service-account-signing-key-file FILE   Key that signs service-account tokens (default <data-dir>/server/tls/service.key)
  --service-account-max-token-expiration DURATION   Longest lifetime a TokenRequest gets, e.g. 48h (default: no limit)
`;

export const AUTH_FLAG_OPTIONS = {
  'token-auth-file': { type: 'string' },
  'service-account-issuer': { type: 'string', multiple: true, default: [] as string[] },
  'api-audiences': { type: 'string' },
  'service-account-signing-key-file': { type: 'string' },
  'service-account-max-token-expiration': { type: 'string' },
} as const;

interface AuthFlagValues {
  'token-auth-file'?: string;
  'service-account-issuer'?: string[];
  'api-audiences'?: string;
  'service-account-signing-key-file'?: string;
  'service-account-max-token-expiration'?: string;
}

export function authenticationFlags(values: AuthFlagValues): AuthenticationFlags {
  const flags: AuthenticationFlags = {};
  if (values['token-auth-file']) flags.tokenAuthFile = resolve(values['token-auth-file']);
  if (values['service-account-issuer']?.length)
    flags.serviceAccountIssuers = values['service-account-issuer'];
  if (values['api-audiences'])
    flags.apiAudiences = values['api-audiences']
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean);
  if (values['service-account-signing-key-file'])
    flags.serviceAccountKeyFile = resolve(values['service-account-signing-key-file']);
  const max = values['service-account-max-token-expiration'];
  if (max) {
    flags.maxTokenExpirationSeconds = parseDuration(max);
    if (flags.maxTokenExpirationSeconds < 3600)
      throw new Error(`--service-account-max-token-expiration: the value must be at least 1h, got "${max}"`);
  }
  return flags;
}

/** The key the tokens controller signs legacy token Secrets with: the server's own. */
export function signingKeyFile(values: AuthFlagValues, dataDir: string): string {
  return values['service-account-signing-key-file']
    ? resolve(values['service-account-signing-key-file'])
    : serviceAccountKeyPath(dataDir);
}
