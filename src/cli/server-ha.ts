// `k8ts server --cluster-init` and `k8ts server --server URL --token T`: the managed etcd
// member of this server and the join of a new server to an existing cluster. server.ts asks
// startManagedDatastore for the datastore to use; undefined means "not managed" (SQLite or an
// external --datastore-endpoint).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { advertiseAddress } from '../apiserver/bootstrap.js';
import { ensureServerPKI, type PKIOptions } from '../pki/bundle.js';
import { bootstrapRoutes, type PreRoute } from '../cluster/bootstrap-route.js';
import { fetchBootstrap, writeBundle } from '../cluster/join.js';
import { ensureServerToken, parseJoinToken, tokenPath, writeServerToken } from '../cluster/join-token.js';
import { addMember, etcdClient, listMembers } from '../etcd/cluster.js';
import { etcdDataDir, hasMemberData, ManagedEtcd, peerURL, writeMemberConfig } from '../etcd/managed.js';
import { ensureEtcdPKI, etcdTLSFiles, type EtcdTLSFiles } from '../etcd/pki.js';
import { SqliteStorage } from '../storage/sqlite/backend.js';
import { EtcdStorage } from '../storage/etcd/backend.js';
import { copyAll } from '../storage/migrate.js';
import type { DatastoreTLS } from '../storage/open.js';
import { logger } from '../util/log.js';

const log = logger('server');

export const HA_FLAGS_HELP = `  --cluster-init                 Start a new cluster on a managed etcd member (TLS, supervised) instead of SQLite
  --server URL                   Join the cluster of the server at URL (https://host:6443) as one more server
  --token TOKEN                  The join token (K10<ca-hash>::server:<secret> from <data-dir>/server/token of
                                 a server); with --cluster-init: the secret to use instead of a random one
  --node-ip IP                   Address of this server for etcd peers and other servers (default: first non-loopback IPv4)
  --etcd-client-port PORT        Managed etcd's client port (default 2379; k8ts-only, for several servers on one host)
  --etcd-peer-port PORT          Managed etcd's peer port (default 2380; k8ts-only)
`;

export const HA_FLAG_OPTIONS = {
  'cluster-init': { type: 'boolean', default: false },
  server: { type: 'string' },
  token: { type: 'string' },
  'node-ip': { type: 'string' },
  'etcd-client-port': { type: 'string', default: '2379' },
  'etcd-peer-port': { type: 'string', default: '2380' },
} as const;

export interface HAFlagValues {
  'cluster-init'?: boolean;
  server?: string;
  token?: string;
  'node-ip'?: string;
  'etcd-client-port'?: string;
  'etcd-peer-port'?: string;
  'datastore-endpoint'?: string;
  'encryption-provider-config'?: string;
}

export interface ManagedDatastore {
  datastoreEndpoint: string;
  datastoreTLS: DatastoreTLS;
  encryptionProviderConfig?: string;
  preRoute: PreRoute;
  etcd: ManagedEtcd;
  stop(): Promise<void>;
}

/** Where a joined server keeps the cluster's EncryptionConfiguration. */
const SHARED_ENCRYPTION_CONFIG = 'server/cred/encryption-config.yaml';

function port(values: HAFlagValues, flag: 'etcd-client-port' | 'etcd-peer-port'): number {
  const n = Number(values[flag]);
  if (!Number.isInteger(n) || n <= 0 || n > 65535) throw new Error(`invalid --${flag} "${values[flag]}"`);
  return n;
}

/** This member's etcd name, made once (host name plus a random suffix, as k3s names them). */
function memberName(dataDir: string): string {
  const file = join(dataDir, 'server', 'db', 'etcd-name');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const name = `${hostname()}-${randomBytes(4).toString('hex')}`;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, name + '\n');
  return name;
}

export async function startManagedDatastore(
  values: HAFlagValues,
  dataDir: string,
  pkiOptions: PKIOptions,
  serviceAccountKeyFile: string,
): Promise<ManagedDatastore | undefined> {
  const restart = hasMemberData(dataDir);
  const joining = !!values.server && !restart;
  if (!values['cluster-init'] && !values.server && !restart) return undefined;
  if (values['datastore-endpoint'])
    throw new Error(
      '--cluster-init and --server run a managed etcd; they cannot be used with --datastore-endpoint',
    );
  if (values.server && !values.token && !restart) throw new Error('--server needs --token (the join token)');
  const nodeIP = values['node-ip'] ?? advertiseAddress('0.0.0.0');
  const clientPort = port(values, 'etcd-client-port');
  const peerPort = port(values, 'etcd-peer-port');
  let encryptionProviderConfig = values['encryption-provider-config'];
  let etcdClientURLs: string[] = [];
  if (joining) {
    const token = parseJoinToken(values.token!);
    const { bundle } = await fetchBootstrap(values.server!, token);
    writeBundle(dataDir, bundle);
    writeServerToken(dataDir, token);
    etcdClientURLs = bundle.etcdClientURLs;
    log.info('fetched the cluster CA and keys', {
      server: values.server,
      files: Object.keys(bundle.files).length,
    });
  }
  if (!encryptionProviderConfig && existsSync(join(dataDir, SHARED_ENCRYPTION_CONFIG)))
    encryptionProviderConfig = join(dataDir, SHARED_ENCRYPTION_CONFIG);
  // the cluster CA exists (made here or fetched) before the token names its hash
  await ensureServerPKI(pkiOptions);
  const caFile = join(pkiOptions.tlsDir, 'server-ca.crt');
  const token = ensureServerToken(dataDir, caFile, values['cluster-init'] ? values.token : undefined);
  const tls = await ensureEtcdPKI(dataDir, [nodeIP]);
  const name = memberName(dataDir);
  const self = { nodeIP, clientPort, peerPort };
  let initialCluster = `${name}=${peerURL(self)}`;
  let state: 'new' | 'existing' = 'new';
  if (joining) {
    const client = etcdClient(etcdClientURLs, tls);
    try {
      initialCluster = await addMember(client, name, peerURL(self));
    } finally {
      client.close();
    }
    state = 'existing';
    log.info('added this server as an etcd member', { name, initialCluster });
  }
  const etcd = new ManagedEtcd({
    name,
    dataDir: etcdDataDir(dataDir),
    ...self,
    tls,
    initialCluster,
    initialClusterState: state,
    logFile: join(dataDir, 'server', 'logs', 'etcd.log'),
  });
  writeMemberConfig(dataDir, { name, nodeIP, clientPort, peerPort });
  etcd.start();
  await etcd.waitHealthy();
  log.info('managed etcd is healthy', { name, client: etcd.clientEndpoint, token: tokenPath(dataDir) });
  if (!restart && !joining) await migrateSqlite(dataDir, etcd.clientEndpoint, tls);
  const local = etcdClient([etcd.clientEndpoint], tls);
  const shared: Record<string, string> = {
    'server/tls/server-ca.crt': caFile,
    'server/tls/server-ca.key': join(pkiOptions.tlsDir, 'server-ca.key'),
    'server/tls/service.key': serviceAccountKeyFile,
    'server/tls/etcd/ca.crt': tls.caFile,
    'server/tls/etcd/ca.key': join(etcdTLSFiles(dataDir).dir, 'ca.key'),
  };
  if (encryptionProviderConfig) shared[SHARED_ENCRYPTION_CONFIG] = encryptionProviderConfig;
  // the local member first, then the others: the API server keeps working through them while
  // its own member restarts (members added later are known after this server's next start)
  const others = (await listMembers(local)).filter((m) => m.name !== name).flatMap((m) => m.clientURLs);
  return {
    datastoreEndpoint: [etcd.clientEndpoint, ...others].join(','),
    datastoreTLS: { caFile: tls.caFile, certFile: tls.clientCertFile, keyFile: tls.clientKeyFile },
    encryptionProviderConfig,
    preRoute: bootstrapRoutes({
      token,
      files: shared,
      encryptionConfig: encryptionProviderConfig ? SHARED_ENCRYPTION_CONFIG : undefined,
      etcdClientURLs: async () => (await listMembers(local)).flatMap((m) => m.clientURLs),
    }),
    etcd,
    async stop() {
      local.close();
      await etcd.stop();
    },
  };
}

/**
 * The first --cluster-init start of a server that ran on the embedded SQLite copies its keys
 * into the new etcd and renames state.db to state.db.migrated-<unix seconds> (k3s converts the
 * same way), so the cluster keeps its objects.
 */
async function migrateSqlite(dataDir: string, endpoint: string, tls: EtcdTLSFiles): Promise<void> {
  const path = join(dataDir, 'server', 'db', 'state.db');
  if (!existsSync(path)) return;
  const from = SqliteStorage.open(path);
  const to = new EtcdStorage({
    endpoints: [endpoint],
    ca: readFileSync(tls.caFile),
    cert: readFileSync(tls.clientCertFile),
    key: readFileSync(tls.clientKeyFile),
  });
  try {
    const n = await copyAll(from, to);
    log.info('migrated the SQLite datastore into etcd', { keys: n, from: path });
  } finally {
    await from.close();
    await to.close();
  }
  const stamp = Math.floor(Date.now() / 1000);
  for (const suffix of ['', '-wal', '-shm'])
    if (existsSync(path + suffix)) renameSync(path + suffix, `${path}.migrated-${stamp}${suffix}`);
}
