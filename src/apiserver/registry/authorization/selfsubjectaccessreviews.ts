// selfsubjectaccessreviews: may I do this? (`kubectl auth can-i`)
import { reviewStrategy } from './review.js';

export const selfsubjectaccessreviews = reviewStrategy(
  'selfsubjectaccessreviews',
  'SelfSubjectAccessReview',
  false,
);
