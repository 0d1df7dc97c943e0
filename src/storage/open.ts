// Chooses the storage backend from --datastore-endpoint (k3s's flag and forms).
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { SqliteStorage } from './sqlite/backend.js';
import { EtcdStorage } from './etcd/backend.js';
import type { Storage } from './types.js';

/** TLS files for an etcd datastore (--datastore-cafile, --datastore-certfile, --datastore-keyfile). */
export interface DatastoreTLS {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

const SQLITE_URL = 'sqlite://';

/**
 * undefined, '' or 'sqlite': the embedded database at <dataDir>/server/db/state.db;
 * 'sqlite:///abs/path.db': that file; 'http(s)://host:2379[,http(s)://host2:2379...]': etcd.
 */
export function openStorage(endpoint: string | undefined, dataDir: string, tls: DatastoreTLS = {}): Storage {
  if (!endpoint || endpoint === 'sqlite')
    return SqliteStorage.open(join(dataDir, 'server', 'db', 'state.db'));
  if (endpoint.startsWith(SQLITE_URL) && endpoint.length > SQLITE_URL.length) {
    return SqliteStorage.open(endpoint.slice(SQLITE_URL.length));
  }
  const endpoints = endpoint.split(',').map((e) => e.trim());
  if (endpoints.every((e) => /^https?:\/\/[^/]+\/?$/.test(e))) {
    const read = (f?: string) => (f ? readFileSync(f) : undefined);
    return new EtcdStorage({
      endpoints: endpoints.map((e) => e.replace(/\/$/, '')),
      ca: read(tls.caFile),
      cert: read(tls.certFile),
      key: read(tls.keyFile),
    });
  }
  throw new Error(
    `unsupported --datastore-endpoint "${endpoint}": use sqlite, sqlite:///path/to/file.db or http(s)://host:2379[,...]`,
  );
}
