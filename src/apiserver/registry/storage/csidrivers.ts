// csidrivers
import { defineResource, ensureObject, setDefault } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';

type Obj = Record<string, unknown>;

export const csidrivers = defineResource({
  group: 'storage.k8s.io',
  version: 'v1',
  resource: 'csidrivers',
  kind: 'CSIDriver',
  namespaced: false,
  definition: 'io.k8s.api.storage.v1.CSIDriver',
  defaults(d) {
    const s = ensureObject<Obj>(d, 'spec');
    setDefault(s, 'attachRequired', true);
    setDefault(s, 'podInfoOnMount', false);
    setDefault(s, 'storageCapacity', false);
    setDefault(s, 'fsGroupPolicy', 'ReadWriteOnceWithFSType');
    setDefault(s, 'requiresRepublish', false);
    setDefault(s, 'volumeLifecycleModes', ['Persistent']);
    setDefault(s, 'seLinuxMount', false);
  },
  table: {
    columns: [
      nameColumn,
      col('AttachRequired', 'Whether volumes need an attach step.', 0, 'boolean'),
      col('PodInfoOnMount', 'Whether pod information is passed on mount.', 0, 'boolean'),
      col('StorageCapacity', 'Whether capacity is tracked.', 0, 'boolean'),
      col('TokenRequests', 'Audiences of tokens passed to the driver.'),
      col('RequiresRepublish', 'Whether NodePublishVolume is called periodically.', 0, 'boolean'),
      col('Modes', 'Volume lifecycle modes.'),
      ageColumn,
    ],
    cells: (d, now) => {
      const s = (d.spec ?? {}) as Obj;
      const tokens =
        ((s.tokenRequests as { audience: string }[] | undefined) ?? []).map((t) => t.audience).join(',') ||
        '<unset>';
      return [
        d.metadata.name,
        String(s.attachRequired),
        String(s.podInfoOnMount),
        String(s.storageCapacity),
        tokens,
        String(s.requiresRepublish),
        ((s.volumeLifecycleModes as string[]) ?? []).join(','),
        age(d.metadata.creationTimestamp, now),
      ];
    },
  },
});
