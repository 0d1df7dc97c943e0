// `k8ts etcd member list|remove` and `k8ts etcd-snapshot save|ls|restore`: the managed etcd of
// a server's data dir, through the etcd Cluster API (member) and Debian's etcdctl (snapshots,
// which checks the snapshot's integrity hash on restore).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { etcdClient, listMembers, removeMember } from '../etcd/cluster.js';
import { etcdDataDir, peerURL, readMemberConfig } from '../etcd/managed.js';
import { etcdTLSFiles } from '../etcd/pki.js';

const ETCDCTL = process.env.K8TS_ETCDCTL_BINARY ?? '/usr/bin/etcdctl';

const MEMBER_HELP = `Usage: k8ts etcd member <list|remove NAME> [--data-dir DIR]

  list            The members of the managed etcd cluster (ID, name, peer and client URLs)
  remove NAME     Remove a member (by name or hex ID), e.g. of a server that is gone for good
`;

const SNAPSHOT_HELP = `Usage: k8ts etcd-snapshot <save|ls|restore FILE> [flags]

  save            Take a snapshot of the managed etcd into <data-dir>/server/db/snapshots/
  ls              List the snapshots there
  restore FILE    With the server stopped: replace this server's etcd data by FILE, as a new
                  one-member cluster (start it again with k8ts server; other servers rejoin)

Flags:
  --data-dir DIR  State directory of the server (default /var/lib/k8ts as root, else ~/.k8ts)
  --name NAME     save: snapshot name prefix (default etcd-snapshot)
`;

function defaultDataDir(given?: string): string {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return resolve(given ?? (isRoot ? '/var/lib/k8ts' : join(homedir(), '.k8ts')));
}

function etcdctl(dataDir: string, args: string[]): { code: number; stdout: string; stderr: string } {
  if (!existsSync(ETCDCTL)) throw new Error(`${ETCDCTL} not found (Debian package etcd-client)`);
  const m = readMemberConfig(dataDir);
  const tls = etcdTLSFiles(dataDir);
  const r = spawnSync(
    ETCDCTL,
    [
      `--endpoints=https://127.0.0.1:${m.clientPort}`,
      `--cacert=${tls.caFile}`,
      `--cert=${tls.clientCertFile}`,
      `--key=${tls.clientKeyFile}`,
      ...args,
    ],
    { env: { ...process.env, ETCDCTL_API: '3' }, encoding: 'utf8' },
  );
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]! + 3))
          .join('')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

export async function runEtcd(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  const [group, sub, name] = positionals;
  if (values.help || group !== 'member' || !sub) {
    process.stdout.write(MEMBER_HELP);
    return values.help ? 0 : 1;
  }
  const dataDir = defaultDataDir(values['data-dir']);
  const m = readMemberConfig(dataDir);
  const client = etcdClient([`https://127.0.0.1:${m.clientPort}`], etcdTLSFiles(dataDir));
  try {
    if (sub === 'list') {
      const rows = [['ID', 'NAME', 'PEER ADDRS', 'CLIENT ADDRS']];
      for (const x of await listMembers(client))
        rows.push([
          BigInt(x.id).toString(16),
          x.name || '(unstarted)',
          x.peerURLs.join(','),
          x.clientURLs.join(','),
        ]);
      process.stdout.write(table(rows));
      return 0;
    }
    if (sub === 'remove') {
      if (!name) throw new Error('k8ts etcd member remove needs the member name or ID');
      const removed = await removeMember(client, name);
      process.stdout.write(
        `Member ${BigInt(removed.id).toString(16)} (${removed.name}) removed from the cluster\n`,
      );
      return 0;
    }
    process.stderr.write(`k8ts etcd member: unknown subcommand "${sub}"\n\n${MEMBER_HELP}`);
    return 1;
  } finally {
    client.close();
  }
}

export function runEtcdSnapshot(args: string[]): number {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string' },
      name: { type: 'string', default: 'etcd-snapshot' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [sub, file] = positionals;
  if (values.help || !sub) {
    process.stdout.write(SNAPSHOT_HELP);
    return values.help ? 0 : 1;
  }
  const dataDir = defaultDataDir(values['data-dir']);
  const dir = join(dataDir, 'server', 'db', 'snapshots');
  if (sub === 'save') {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // k3s's naming: <name>-<node>-<unix seconds>
    const path = join(dir, `${values.name}-${hostname()}-${Math.floor(Date.now() / 1000)}`);
    const r = etcdctl(dataDir, ['snapshot', 'save', path]);
    if (r.code !== 0) throw new Error(`snapshot save failed: ${r.stderr.trim()}`);
    process.stdout.write(`Snapshot ${basename(path)} saved to ${path}\n`);
    return 0;
  }
  if (sub === 'ls' || sub === 'list') {
    const rows = [['Name', 'Location', 'Size', 'Created']];
    for (const f of existsSync(dir) ? readdirSync(dir).sort() : []) {
      const st = statSync(join(dir, f));
      rows.push([
        f,
        `file://${join(dir, f)}`,
        String(st.size),
        st.mtime.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ]);
    }
    process.stdout.write(table(rows));
    return 0;
  }
  if (sub === 'restore') {
    if (!file) throw new Error('k8ts etcd-snapshot restore needs the snapshot file');
    const m = readMemberConfig(dataDir);
    const target = etcdDataDir(dataDir);
    const staging = `${target}.restore-${Date.now()}`;
    const r = spawnSync(
      ETCDCTL,
      [
        'snapshot',
        'restore',
        resolve(file),
        `--data-dir=${staging}`,
        `--name=${m.name}`,
        `--initial-cluster=${m.name}=${peerURL(m)}`,
        `--initial-advertise-peer-urls=${peerURL(m)}`,
      ],
      { env: { ...process.env, ETCDCTL_API: '3' }, encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`snapshot restore failed: ${r.stderr.trim()}`);
    const old = `${target}.old-${Date.now()}`;
    if (existsSync(target)) renameSync(target, old);
    renameSync(staging, target);
    process.stdout.write(
      `Restored ${file} into ${target} as a one-member cluster (previous data kept in ${old}).\n` +
        'Start the server again; other servers must rejoin with an empty data dir.\n',
    );
    return 0;
  }
  process.stderr.write(`k8ts etcd-snapshot: unknown subcommand "${sub}"\n\n${SNAPSHOT_HELP}`);
  return 1;
}
