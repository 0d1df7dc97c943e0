// Builds the request authenticator and the authorizer the API server runs.
// Authentication: x509 client certificates, static tokens (--token-auth-file), service-account
// tokens (bound and legacy), bootstrap tokens, then impersonation. Authorization (as
// --authorization-mode=Node,RBAC): system:masters, the Node authorizer, RBAC.
import { logger } from '../../util/log.js';
import { ensureSigningKey, loadSigningKey, serviceAccountKeyPath } from '../../pki/service-account-key.js';
import { noteRequestor } from '../audit/request.js';
import { systemContext } from '../bootstrap.js';
import type { UserInfo } from '../endpoints/context.js';
import type { ResourceStore } from '../endpoints/store.js';
import { bootstrapTokenAuthenticator } from './authn/bootstrap-tokens.js';
import { audienceAgnostic, RequestAuthenticatorChain, tokenUnion } from './authn/chain.js';
import { getterFromStores } from './authn/getter.js';
import { impersonate } from './authn/impersonation.js';
import { DEFAULT_ISSUER } from './authn/sa-claims.js';
import { ServiceAccountTokens } from './authn/service-accounts.js';
import { tokenFileAuthenticator } from './authn/token-file.js';
import type { TokenRequestOptions } from './authn/token-request.js';
import type { TokenAuthenticator } from './authn/types.js';
import type { Authorizer, RequestAuthenticator } from './types.js';
import { rbacAuthorizer } from './rbac/authorizer.js';
import { resolverFor } from './rbac/store-source.js';
import { privilegedGroupAuthorizer, unionAuthorizer } from './union.js';
import { nodeAuthorizer } from './node/authorizer.js';
import { nodeGraphFor, storeObjects } from './node/store-source.js';
import { X509Certificate } from 'node:crypto';

const log = logger('authentication');

/** The authentication flags of `k8ts server` (kube-apiserver's names). */
export interface AuthenticationFlags {
  /** --token-auth-file: static bearer tokens (CSV token,user,uid,"group1,group2"). */
  tokenAuthFile?: string;
  /** --service-account-issuer (repeatable): the first issues, all are accepted. */
  serviceAccountIssuers?: string[];
  /** --api-audiences (default: the first issuer). */
  apiAudiences?: string[];
  /** --service-account-signing-key-file (default <data-dir>/server/tls/service.key, made if missing). */
  serviceAccountKeyFile?: string;
  /** --service-account-max-token-expiration in seconds (0: no limit). */
  maxTokenExpirationSeconds?: number;
}

export interface AuthOptions extends AuthenticationFlags {
  dataDir: string;
  /** The API server's stores (tokens are checked against service accounts, pods, secrets, nodes). */
  lookup: (group: string, resource: string) => ResourceStore | undefined;
  /** PEM of the CA that issues client certificates (checked here, not by the TLS layer). */
  clientCAPem?: string;
}

/** The request authenticator, with the parts the authentication API handlers need. */
export interface Authentication extends RequestAuthenticator {
  chain: RequestAuthenticatorChain;
  serviceAccounts: ServiceAccountTokens;
  tokenRequest: TokenRequestOptions;
}

export function buildAuthenticator(opts: AuthOptions, authorizer: Authorizer): Authentication {
  const issuers = opts.serviceAccountIssuers?.length ? opts.serviceAccountIssuers : [DEFAULT_ISSUER];
  const apiAudiences = opts.apiAudiences?.length ? opts.apiAudiences : [issuers[0]!];
  const key = opts.serviceAccountKeyFile
    ? loadSigningKey(opts.serviceAccountKeyFile)
    : ensureSigningKey(serviceAccountKeyPath(opts.dataDir));
  const getter = getterFromStores(opts.lookup);
  const serviceAccounts = new ServiceAccountTokens({
    issuer: issuers[0]!,
    acceptedIssuers: issuers,
    apiAudiences,
    key,
    getter,
    labelSecret: async (namespace, name, label, value) => {
      const secrets = opts.lookup('', 'secrets');
      if (!secrets) return;
      await secrets.update(namespace, name, systemContext(namespace), (s) => ({
        ...s,
        metadata: { ...s.metadata, labels: { ...s.metadata.labels, [label]: value } },
      }));
    },
  });
  const tokens: TokenAuthenticator[] = [];
  if (opts.tokenAuthFile) {
    tokens.push(audienceAgnostic(apiAudiences, tokenFileAuthenticator(opts.tokenAuthFile)));
    log.info('static token file loaded', { path: opts.tokenAuthFile });
  }
  tokens.push(serviceAccounts.authenticator);
  tokens.push(audienceAgnostic(apiAudiences, bootstrapTokenAuthenticator(getter)));
  const clientCA = opts.clientCAPem ? new X509Certificate(opts.clientCAPem) : undefined;
  const chain = new RequestAuthenticatorChain(tokenUnion(tokens), apiAudiences, clientCA);
  return {
    chain,
    serviceAccounts,
    tokenRequest: { maxExpirationSeconds: opts.maxTokenExpirationSeconds ?? 0 },
    authenticate: async (req): Promise<UserInfo | undefined> => {
      const user = await chain.authenticate(req);
      if (!user) return undefined;
      const acting = await impersonate(req, user, authorizer);
      // audit records the requester as user and the one it acts as as impersonatedUser
      if (acting !== user) noteRequestor(req, user);
      return acting;
    },
  };
}

/** kube-apiserver's chain for `--authorization-mode=Node,RBAC`: system:masters, Node, RBAC. */
export function buildAuthorizer(opts: AuthOptions): Authorizer {
  const parts = [privilegedGroupAuthorizer('system:masters')];
  // without stores (a bare authorizer) only the privileged group is allowed: fail closed
  if (opts.lookup)
    parts.push(
      nodeAuthorizer(nodeGraphFor(opts.lookup), storeObjects(opts.lookup)),
      rbacAuthorizer(resolverFor(opts.lookup)),
    );
  return unionAuthorizer(parts);
}
