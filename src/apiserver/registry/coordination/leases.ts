// leases
import { defineResource } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { invalidValue } from '../validation.js';

export const leases = defineResource({
  group: 'coordination.k8s.io',
  version: 'v1',
  resource: 'leases',
  kind: 'Lease',
  namespaced: true,
  definition: 'io.k8s.api.coordination.v1.Lease',
  validate(l) {
    const s = (l.spec ?? {}) as { leaseDurationSeconds?: number; leaseTransitions?: number };
    const errs = [];
    if (typeof s.leaseDurationSeconds === 'number' && s.leaseDurationSeconds <= 0)
      errs.push(invalidValue('spec.leaseDurationSeconds', s.leaseDurationSeconds, 'must be greater than 0'));
    if (typeof s.leaseTransitions === 'number' && s.leaseTransitions < 0)
      errs.push(
        invalidValue('spec.leaseTransitions', s.leaseTransitions, 'must be greater than or equal to 0'),
      );
    return errs;
  },
  table: {
    columns: [nameColumn, col('Holder', 'Who holds the lease.'), ageColumn],
    cells: (l, now) => [
      l.metadata.name,
      (l.spec as { holderIdentity?: string } | undefined)?.holderIdentity ?? '',
      age(l.metadata.creationTimestamp, now),
    ],
  },
});
