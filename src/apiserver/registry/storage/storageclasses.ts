// storageclasses (sc)
import { defineResource, setDefault } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { invalidValue, required } from '../validation.js';

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
  validate: (sc) => (sc.provisioner ? [] : [required('provisioner')]),
  validateUpdate: (sc, old) =>
    ['provisioner', 'parameters', 'reclaimPolicy', 'volumeBindingMode']
      .filter((f) => JSON.stringify(sc[f]) !== JSON.stringify(old[f]))
      .map((f) => invalidValue(f, sc[f], 'updates to ' + f + ' are forbidden.')),
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
        sc.reclaimPolicy,
        sc.volumeBindingMode,
        String(sc.allowVolumeExpansion ?? false),
        age(sc.metadata.creationTimestamp, now),
      ];
    },
  },
});
