// ingressclasses
import { defineResource } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';

export const ingressclasses = defineResource({
  group: 'networking.k8s.io',
  version: 'v1',
  resource: 'ingressclasses',
  kind: 'IngressClass',
  namespaced: false,
  definition: 'io.k8s.api.networking.v1.IngressClass',
  generation: true,
  table: {
    columns: [
      nameColumn,
      col('Controller', 'The controller that implements the class.'),
      col('Parameters', 'Extra configuration.'),
      ageColumn,
    ],
    cells: (c, now) => {
      const s = (c.spec ?? {}) as {
        controller?: string;
        parameters?: { kind?: string; name?: string; apiGroup?: string };
      };
      const p = s.parameters
        ? `${s.parameters.kind ?? ''}${s.parameters.apiGroup !== undefined ? `.${s.parameters.apiGroup}` : ''}/${s.parameters.name ?? ''}`
        : '<none>';
      return [c.metadata.name, s.controller ?? '', p, age(c.metadata.creationTimestamp, now)];
    },
  },
});
