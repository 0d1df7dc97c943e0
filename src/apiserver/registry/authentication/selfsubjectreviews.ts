// selfsubjectreviews (authentication.k8s.io/v1): "who am I" for `kubectl auth whoami`;
// create-only and never stored, answered in auth/authn/reviews.ts.
import type { ResourceStrategy } from '../strategy.js';

export const selfsubjectreviews: ResourceStrategy = {
  group: 'authentication.k8s.io',
  version: 'v1',
  resource: 'selfsubjectreviews',
  kind: 'SelfSubjectReview',
  namespaced: false,
  verbs: ['create'],
  definition: 'io.k8s.api.authentication.v1.SelfSubjectReview',
};
