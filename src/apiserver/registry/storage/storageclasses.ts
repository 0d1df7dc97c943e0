// storageclasses (sc)
import { defineResource, setDefault } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import {
  forbidden,
  invalidValue,
  isQualifiedName,
  notSupported,
  required,
  type FieldError,
} from '../validation.js';

export const storageclasses = defineResource({
  group: 'storage.k8s.io',
  version: 'v1',
  resource: 'storageclasses',
  kind: 'StorageClass',
  namespaced: false,
  shortNames: ['sc'],
  definition: 'io.k8s.api.storage.v1.StorageClass',
  defaults(sc) {
    setDefault(sc, 'reclaimPolicy', 'Delete');
    setDefault(sc, 'volumeBindingMode', 'Immediate');
  },
  validate(sc) {
    const errs: FieldError[] = [];
    const provisioner = typeof sc.provisioner === 'string' ? sc.provisioner : '';
    if (!provisioner) errs.push(required('provisioner'));
    else
      for (const m of isQualifiedName(provisioner.toLowerCase()))
        errs.push(invalidValue('provisioner', provisioner.toLowerCase(), m));
    const policies = ['Delete', 'Retain'];
    if (sc.reclaimPolicy !== undefined && !policies.includes(String(sc.reclaimPolicy)))
      errs.push(notSupported('reclaimPolicy', sc.reclaimPolicy, policies));
    const modes = ['Immediate', 'WaitForFirstConsumer'];
    if (sc.volumeBindingMode === undefined) errs.push(required('volumeBindingMode'));
    else if (!modes.includes(String(sc.volumeBindingMode)))
      errs.push(notSupported('volumeBindingMode', sc.volumeBindingMode, modes));
    return errs;
  },
  validateUpdate(sc, old) {
    const errs: FieldError[] = [];
    const same = (f: string) => JSON.stringify(sc[f] ?? null) === JSON.stringify(old[f] ?? null);
    for (const f of ['parameters', 'provisioner', 'reclaimPolicy'])
      if (!same(f)) errs.push(forbidden(f, `updates to ${f} are forbidden.`));
    if (!same('volumeBindingMode'))
      errs.push(invalidValue('volumeBindingMode', sc.volumeBindingMode, 'field is immutable'));
    return errs;
  },
  table: {
    columns: [
      nameColumn,
      col('Provisioner', 'The volume plugin that provisions volumes of the class.'),
      col('ReclaimPolicy', 'What happens to released volumes.'),
      col('VolumeBindingMode', 'When volumes are bound.'),
      col('AllowVolumeExpansion', 'Whether volumes can grow.', 0, 'boolean'),
      ageColumn,
    ],
    cells: (sc, now) => {
      const isDefault =
        sc.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true' ||
        sc.metadata.annotations?.['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
      return [
        `${sc.metadata.name}${isDefault ? ' (default)' : ''}`,
        sc.provisioner,
        sc.reclaimPolicy ?? 'Delete',
        sc.volumeBindingMode ?? 'Immediate',
        sc.allowVolumeExpansion ?? false,
        age(sc.metadata.creationTimestamp, now),
      ];
    },
  },
});
