// Builds the request authenticator and the authorizer the API server runs.
// Today: x509 client certificates, and every authenticated user is allowed everything.
import type { UserInfo } from '../endpoints/context.js';
import { userFromSocket } from './x509.js';
import type { Authorizer, RequestAuthenticator } from './types.js';

export interface AuthOptions {
  dataDir: string;
}

export function buildAuthenticator(_opts: AuthOptions, _authorizer: Authorizer): RequestAuthenticator {
  return {
    authenticate: (req) =>
      Promise.resolve(
        userFromSocket(req.socket as Parameters<typeof userFromSocket>[0]) as UserInfo | undefined,
      ),
  };
}

export function buildAuthorizer(_opts: AuthOptions): Authorizer {
  return { authorize: () => ({ decision: 'allow', reason: '' }) };
}
