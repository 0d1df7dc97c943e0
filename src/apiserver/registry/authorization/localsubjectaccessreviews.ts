// localsubjectaccessreviews: a SubjectAccessReview within one namespace (granted by admin).
import { reviewStrategy } from './review.js';

export const localsubjectaccessreviews = reviewStrategy(
  'localsubjectaccessreviews',
  'LocalSubjectAccessReview',
  true,
);
