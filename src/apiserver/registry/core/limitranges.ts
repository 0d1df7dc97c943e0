// limitranges (limits)
import { defineResource } from '../define.js';
import { defaultTable } from '../table.js';

export const limitranges = defineResource({
  group: '',
  version: 'v1',
  resource: 'limitranges',
  kind: 'LimitRange',
  namespaced: true,
  shortNames: ['limits'],
  definition: 'io.k8s.api.core.v1.LimitRange',
  table: defaultTable,
});
