export { parseLabelSelector, labelSelectorFromObject, matcherOf } from './labels.js';
export type { LabelMatcher, LabelRequirement, LabelSelectorObject } from './labels.js';
export { parseFieldSelector } from './fields.js';
export type { FieldRequirement } from './fields.js';
