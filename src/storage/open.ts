// Chooses the storage backend from --datastore-endpoint (k3s's flag and forms).
import { join } from 'node:path';
import { SqliteStorage } from './sqlite/backend.js';
import type { Storage } from './types.js';

const SQLITE_URL = 'sqlite://';

/**
 * undefined, '' or 'sqlite': the embedded database at <dataDir>/server/db/state.db;
 * 'sqlite:///abs/path.db': that file; anything else (http(s):// = etcd) is not built yet.
 */
export function openStorage(endpoint: string | undefined, dataDir: string): Storage {
  if (!endpoint || endpoint === 'sqlite')
    return SqliteStorage.open(join(dataDir, 'server', 'db', 'state.db'));
  if (endpoint.startsWith(SQLITE_URL) && endpoint.length > SQLITE_URL.length) {
    return SqliteStorage.open(endpoint.slice(SQLITE_URL.length));
  }
  throw new Error('etcd datastore is not supported yet');
}
