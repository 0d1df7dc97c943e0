// Chooses the storage backend from --datastore-endpoint.
import { join } from 'node:path';
import { SqliteStorage } from './sqlite/backend.js';
import type { Storage } from './types.js';

export function openStorage(endpoint: string | undefined, dataDir: string): Storage {
  if (!endpoint || endpoint === 'sqlite')
    return SqliteStorage.open(join(dataDir, 'server', 'db', 'state.db'));
  if (endpoint.startsWith('sqlite://')) return SqliteStorage.open(endpoint.slice('sqlite://'.length));
  throw new Error(
    `unsupported --datastore-endpoint "${endpoint}": the etcd backend is not built yet (sqlite only)`,
  );
}
