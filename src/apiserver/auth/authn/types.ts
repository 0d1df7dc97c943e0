// The token authenticator contract (k8s.io/apiserver's authenticator.Token) and the object
// getter the validators read through.
import type { KubeObject } from '../../../api/types.js';
import type { UserInfo } from '../../endpoints/context.js';

export interface TokenResult {
  user: UserInfo;
  /** The audiences the token was accepted for (requested ∩ token's). */
  audiences: string[];
}

export interface TokenAuthenticator {
  /**
   * The user a bearer token stands for. Resolves undefined when the token is not of this
   * authenticator's kind (another may know it); throws TokenError when it is, but is bad.
   * `audiences` are the audiences the caller accepts (the API server's own by default).
   */
  authenticateToken(token: string, audiences: string[]): Promise<TokenResult | undefined>;
}

/** Reads current objects the validators check tokens against. */
export type ObjectGetter = (
  resource: 'serviceaccounts' | 'secrets' | 'pods' | 'nodes',
  namespace: string | undefined,
  name: string,
) => Promise<KubeObject | undefined>;
