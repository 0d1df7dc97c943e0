// The authentication API's handlers, registered with the API server's custom handlers:
// serviceaccounts/token (TokenRequest), tokenreviews and selfsubjectreviews.
import type { CustomHandlers } from '../../endpoints/custom.js';
import type { ApiServerParts } from '../../extensions.js';
import { selfSubjectReviewHandler, tokenReviewHandler } from './reviews.js';
import { tokenRequestHandler } from './token-request.js';

export function registerAuthenticationAPI(custom: CustomHandlers, parts: ApiServerParts): void {
  const { serviceAccounts, chain, tokenRequest } = parts.authentication;
  custom.register('', 'serviceaccounts', 'token', tokenRequestHandler(serviceAccounts, tokenRequest));
  custom.register('authentication.k8s.io', 'tokenreviews', '', tokenReviewHandler(chain));
  custom.register('authentication.k8s.io', 'selfsubjectreviews', '', selfSubjectReviewHandler());
}
