// controllerrevisions
import { defineResource } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { invalidValue } from '../validation.js';

export const controllerrevisions = defineResource({
  group: 'apps',
  version: 'v1',
  resource: 'controllerrevisions',
  kind: 'ControllerRevision',
  namespaced: true,
  definition: 'io.k8s.api.apps.v1.ControllerRevision',
  validateUpdate: (cr, old) =>
    JSON.stringify(cr.data) !== JSON.stringify(old.data)
      ? [invalidValue('data', '', 'field is immutable')]
      : [],
  table: {
    columns: [
      nameColumn,
      col('Controller', 'The owning controller.'),
      col('Revision', 'The revision number.', 0, 'integer'),
      ageColumn,
    ],
    cells: (cr, now) => {
      const owner = cr.metadata.ownerReferences?.find((o) => o.controller);
      return [
        cr.metadata.name,
        owner ? `${owner.kind.toLowerCase()}.${owner.apiVersion.split('/')[0]}/${owner.name}` : '<none>',
        cr.revision ?? 0,
        age(cr.metadata.creationTimestamp, now),
      ];
    },
  },
});
