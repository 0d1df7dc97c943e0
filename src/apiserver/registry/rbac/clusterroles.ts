// clusterroles
import { defineResource } from '../define.js';
import { defaultTable } from '../table.js';
import { validateAggregationRule, validateRules, pathSegmentName } from './rbac.js';

export const clusterroles = defineResource({
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  resource: 'clusterroles',
  kind: 'ClusterRole',
  nameValidator: pathSegmentName,
  namespaced: false,
  definition: 'io.k8s.api.rbac.v1.ClusterRole',
  validate: (r) => [...validateRules(r, false), ...validateAggregationRule(r)],
  table: defaultTable,
});
