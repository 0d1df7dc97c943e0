// roles
import { defineResource } from '../define.js';
import { defaultTable } from '../table.js';
import { validateRules, pathSegmentName } from './rbac.js';

export const roles = defineResource({
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  resource: 'roles',
  kind: 'Role',
  nameValidator: pathSegmentName,
  namespaced: true,
  definition: 'io.k8s.api.rbac.v1.Role',
  validate: (r) => validateRules(r, true),
  table: defaultTable,
});
