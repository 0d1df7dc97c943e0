export {
  updateManagedFields,
  serverSideApply,
  type ManagedFieldsEntry,
  type ManagerOptions,
} from './managed-fields.js';
export { fieldSetOf, toFieldsV1, fromFieldsV1 } from './fieldset.js';
