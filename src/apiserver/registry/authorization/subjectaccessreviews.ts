// subjectaccessreviews: may this user (spec.user, spec.groups) do this?
import { reviewStrategy } from './review.js';

export const subjectaccessreviews = reviewStrategy('subjectaccessreviews', 'SubjectAccessReview', false);
