// controllerrevisions
import { defineResource } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { invalidValue, required } from '../validation.js';

/** kind.group/name in lower case, group left out for the core group (upstream's formatResourceName). */
function controllerName(owner: { apiVersion: string; kind: string; name: string }): string {
  const group = owner.apiVersion.includes('/') ? owner.apiVersion.split('/')[0] : '';
  return `${(group ? `${owner.kind}.${group}` : owner.kind).toLowerCase()}/${owner.name}`;
}

export const controllerrevisions = defineResource({
  group: 'apps',
  version: 'v1',
  resource: 'controllerrevisions',
  kind: 'ControllerRevision',
  namespaced: true,
  definition: 'io.k8s.api.apps.v1.ControllerRevision',
  validate: (cr) => {
    const errs = cr.data === undefined || cr.data === null ? [required('data', 'data is mandatory')] : [];
    if (typeof cr.revision === 'number' && cr.revision < 0)
      errs.push(invalidValue('revision', cr.revision, 'must be greater than or equal to 0'));
    return errs;
  },
  validateUpdate: (cr, old) =>
    JSON.stringify(cr.data) !== JSON.stringify(old.data)
      ? [invalidValue('data', cr.data ?? null, 'field is immutable')]
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
        owner ? controllerName(owner) : '<none>',
        cr.revision ?? 0,
        age(cr.metadata.creationTimestamp, now),
      ];
    },
  },
});
