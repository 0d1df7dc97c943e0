// k3s's packaged local-storage add-on: the local-path provisioner's ConfigMap and the default
// StorageClass `local-path` (the provisioner itself runs in the controller manager).
import { stringify } from 'yaml';
import { localPathConfigMap, localPathStorageClass } from '../controllers/localpath/config.js';

export const LOCAL_STORAGE_MANIFEST = 'local-storage.yaml';

export function localStorageManifest(o: { storageDir: string }): string {
  return [localPathConfigMap(o.storageDir), localPathStorageClass()]
    .map((obj) => stringify(obj))
    .join('---\n');
}
