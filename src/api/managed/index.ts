export {
  updateManagedFields,
  decodeOwners,
  encodeOwners,
  MAX_UPDATE_MANAGERS,
  ANCIENT_CHANGES_MANAGER,
  type ManagedFieldsEntry,
  type ManagerOptions,
} from './managed-fields.js';
export {
  serverSideApply,
  conflictError,
  KUBECTL_SSA_MANAGER,
  LAST_APPLIED_ANNOTATION,
  type ApplyOptions,
  type ApplyResult,
} from './apply.js';
export { FieldSet, union, difference, intersection, leaves, pathString, type Path } from './fieldset.js';
export { toFieldsV1, fromFieldsV1, type FieldsV1 } from './fields-v1.js';
export { fieldSetOf, compare, merge } from './typed.js';
export { fieldManagerFromUserAgent, fieldManagerOf, FIELD_MANAGER_MAX_LENGTH } from './manager-name.js';
