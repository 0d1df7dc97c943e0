export { parseLabelSelector, labelSelectorFromObject, matcherOf } from './labels.js';
export type { LabelMatcher, LabelOperator, LabelRequirement, LabelSelectorObject } from './labels.js';
export {
  parseFieldSelector,
  checkFieldSelectorSupported,
  fieldsMatch,
  fieldSelectorText,
  escapeFieldValue,
  unescapeFieldValue,
} from './fields.js';
export type { FieldGetter, FieldRequirement } from './fields.js';
export { labelKeyErrors, labelValueErrors } from './label-validation.js';
