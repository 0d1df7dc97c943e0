// tokenreviews (authentication.k8s.io/v1): create-only and never stored; the handler in
// auth/authn/reviews.ts answers it. The strategy is here so discovery and OpenAPI list it.
import type { ResourceStrategy } from '../strategy.js';

export const tokenreviews: ResourceStrategy = {
  group: 'authentication.k8s.io',
  version: 'v1',
  resource: 'tokenreviews',
  kind: 'TokenReview',
  namespaced: false,
  verbs: ['create'],
  definition: 'io.k8s.api.authentication.v1.TokenReview',
};
