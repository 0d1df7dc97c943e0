// Builds the request authenticator and the authorizer the API server runs.
// Authentication today: x509 client certificates. Authorization: system:masters, Node, RBAC.
import type { UserInfo } from '../endpoints/context.js';
import { userFromSocket } from './x509.js';
import type { Authorizer, RequestAuthenticator } from './types.js';
import type { ResourceStore } from '../endpoints/store.js';
import { rbacAuthorizer } from './rbac/authorizer.js';
import { resolverFor } from './rbac/store-source.js';
import { privilegedGroupAuthorizer, unionAuthorizer } from './union.js';
import { nodeAuthorizer } from './node/authorizer.js';
import { nodeGraphFor, storeObjects } from './node/store-source.js';

export interface AuthOptions {
  dataDir: string;
  /** The API server's stores (RBAC reads roles and bindings from their watch caches). */
  lookup?: (group: string, resource: string) => ResourceStore | undefined;
}

export function buildAuthenticator(_opts: AuthOptions, _authorizer: Authorizer): RequestAuthenticator {
  return {
    authenticate: (req) =>
      Promise.resolve(
        userFromSocket(req.socket as Parameters<typeof userFromSocket>[0]) as UserInfo | undefined,
      ),
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
