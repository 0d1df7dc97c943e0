// Authentication and authorization contracts of the request path (k8s.io/apiserver's
// authenticator.Request and authorizer.Authorizer).
import type { UserInfo } from '../endpoints/context.js';
import type { Req } from '../http/io.js';

export interface RequestAuthenticator {
  /**
   * The user a request acts as (after impersonation), or undefined when it carries no
   * credentials at all. Throws a 401 StatusError for credentials that are present but bad.
   */
  authenticate(req: Req & { socket?: unknown }): Promise<UserInfo | undefined>;
}

/** What is being asked, as upstream's authorizer.Attributes. */
export interface AuthorizationAttributes {
  user: UserInfo;
  /** get, list, watch, create, update, patch, delete, deletecollection; for non-resource paths the lower-cased HTTP method verb. */
  verb: string;
  resourceRequest: boolean;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  /** The request path (non-resource requests are authorized by it). */
  path: string;
}

export type Decision = 'allow' | 'deny' | 'noOpinion';

export interface AuthorizationResult {
  decision: Decision;
  /** Why, appended to the Forbidden message when not empty. */
  reason: string;
}

export interface Authorizer {
  authorize(attrs: AuthorizationAttributes): Promise<AuthorizationResult> | AuthorizationResult;
}
