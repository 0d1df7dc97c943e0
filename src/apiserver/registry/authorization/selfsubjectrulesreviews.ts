// selfsubjectrulesreviews: what may I do in this namespace? (`kubectl auth can-i --list`)
import { reviewStrategy } from './review.js';

export const selfsubjectrulesreviews = reviewStrategy(
  'selfsubjectrulesreviews',
  'SelfSubjectRulesReview',
  false,
);
