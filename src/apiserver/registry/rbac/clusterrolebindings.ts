// clusterrolebindings
import { defineResource } from '../define.js';
import { bindingTable, defaultBinding, immutableRoleRef, validateBinding, pathSegmentName } from './rbac.js';

export const clusterrolebindings = defineResource({
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  resource: 'clusterrolebindings',
  kind: 'ClusterRoleBinding',
  nameValidator: pathSegmentName,
  namespaced: false,
  definition: 'io.k8s.api.rbac.v1.ClusterRoleBinding',
  defaults: defaultBinding,
  validate: (b) => validateBinding(b, false),
  validateUpdate: immutableRoleRef,
  table: bindingTable,
});
