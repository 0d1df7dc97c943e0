// rolebindings
import { defineResource } from '../define.js';
import { bindingTable, defaultBinding, immutableRoleRef, validateBinding, pathSegmentName } from './rbac.js';

export const rolebindings = defineResource({
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  resource: 'rolebindings',
  kind: 'RoleBinding',
  nameValidator: pathSegmentName,
  namespaced: true,
  definition: 'io.k8s.api.rbac.v1.RoleBinding',
  defaults: defaultBinding,
  validate: (b) => validateBinding(b, true),
  validateUpdate: immutableRoleRef,
  table: bindingTable,
});
