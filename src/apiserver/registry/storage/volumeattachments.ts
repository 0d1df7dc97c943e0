// volumeattachments
import { defineResource } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';

export const volumeattachments = defineResource({
  group: 'storage.k8s.io',
  version: 'v1',
  resource: 'volumeattachments',
  kind: 'VolumeAttachment',
  namespaced: false,
  definition: 'io.k8s.api.storage.v1.VolumeAttachment',
  status: true,
  table: {
    columns: [
      nameColumn,
      col('Attacher', 'The attaching driver.'),
      col('PV', 'The persistent volume.'),
      col('Node', 'The node.'),
      col('Attached', 'Whether attached.', 0, 'boolean'),
      ageColumn,
    ],
    cells: (va, now) => {
      const s = (va.spec ?? {}) as {
        attacher?: string;
        nodeName?: string;
        source?: { persistentVolumeName?: string };
      };
      return [
        va.metadata.name,
        s.attacher ?? '',
        s.source?.persistentVolumeName ?? '',
        s.nodeName ?? '',
        String((va.status as { attached?: boolean } | undefined)?.attached ?? false),
        age(va.metadata.creationTimestamp, now),
      ];
    },
  },
});
