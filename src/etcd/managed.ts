// A local etcd member that `k8ts server --cluster-init` (or a joining server) runs and
// supervises: the real /usr/bin/etcd with TLS on client and peer ports, restarted with backoff
// when it dies. It runs under a small shell watchdog so that it also ends when this server is
// killed with SIGKILL (a stacked etcd lives and dies with its server, as in k3s).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { logger } from '../util/log.js';
import type { EtcdTLSFiles } from './pki.js';

const log = logger('etcd');
export const ETCD_BINARY = process.env.K8TS_ETCD_BINARY ?? '/usr/bin/etcd';

export interface MemberConfig {
  name: string;
  dataDir: string;
  /** The address peers and remote clients reach this member on. */
  nodeIP: string;
  clientPort: number;
  peerPort: number;
  tls: EtcdTLSFiles;
  /** name=peerURL,... ; used by etcd only when its data dir is empty. */
  initialCluster: string;
  initialClusterState: 'new' | 'existing';
  logFile: string;
}

const WATCHDOG = [
  '"$0" "$@" & e=$!',
  'echo $e > "$K8TS_ETCD_PIDFILE"',
  "trap 'kill $e 2>/dev/null; wait $e; exit 0' TERM INT",
  'while kill -0 "$K8TS_SERVER_PID" 2>/dev/null; do',
  '  if ! kill -0 $e 2>/dev/null; then wait $e; exit $?; fi',
  '  sleep 1',
  'done',
  'kill $e 2>/dev/null; wait $e',
].join('\n');

export function etcdDataDir(dataDir: string): string {
  return join(dataDir, 'server', 'db', 'etcd');
}

export function peerURL(c: Pick<MemberConfig, 'nodeIP' | 'peerPort'>): string {
  return `https://${hostPort(c.nodeIP, c.peerPort)}`;
}

export function clientURLs(c: Pick<MemberConfig, 'nodeIP' | 'clientPort'>): string[] {
  const urls = [`https://127.0.0.1:${c.clientPort}`];
  if (c.nodeIP !== '127.0.0.1') urls.push(`https://${hostPort(c.nodeIP, c.clientPort)}`);
  return urls;
}

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** What `k8ts etcd*` commands need to reach this server's member: <data-dir>/server/db/etcd-member.json. */
export interface MemberAddress {
  name: string;
  nodeIP: string;
  clientPort: number;
  peerPort: number;
}

function memberConfigPath(dataDir: string): string {
  return join(dataDir, 'server', 'db', 'etcd-member.json');
}

export function writeMemberConfig(dataDir: string, m: MemberAddress): void {
  writeFileSync(memberConfigPath(dataDir), JSON.stringify(m, null, 2) + '\n');
}

export function readMemberConfig(dataDir: string): MemberAddress {
  const path = memberConfigPath(dataDir);
  if (!existsSync(path))
    throw new Error(
      `${dataDir} has no managed etcd member (start it with k8ts server --cluster-init or --server)`,
    );
  return JSON.parse(readFileSync(path, 'utf8')) as MemberAddress;
}

/** True when this member's data dir already holds a member (a restart, not a first start). */
export function hasMemberData(dataDir: string): boolean {
  return existsSync(join(etcdDataDir(dataDir), 'member'));
}

function etcdArgs(c: MemberConfig): string[] {
  const clients = clientURLs(c);
  return [
    '--name',
    c.name,
    '--data-dir',
    c.dataDir,
    '--listen-client-urls',
    clients.join(','),
    '--advertise-client-urls',
    clients[clients.length - 1]!,
    '--listen-peer-urls',
    peerURL(c),
    '--initial-advertise-peer-urls',
    peerURL(c),
    '--initial-cluster',
    c.initialCluster,
    '--initial-cluster-state',
    c.initialClusterState,
    '--client-cert-auth',
    '--trusted-ca-file',
    c.tls.caFile,
    '--cert-file',
    c.tls.serverCertFile,
    '--key-file',
    c.tls.serverKeyFile,
    '--peer-client-cert-auth',
    '--peer-trusted-ca-file',
    c.tls.caFile,
    '--peer-cert-file',
    c.tls.peerCertFile,
    '--peer-key-file',
    c.tls.peerKeyFile,
    // kube-apiserver's limit is etcd's default 1.5 MiB; compaction is driven by the API server
    '--auto-compaction-retention',
    '0',
    '--heartbeat-interval',
    '100',
    '--election-timeout',
    '1000',
    '--logger',
    'zap',
    '--log-level',
    'warn',
  ];
}

export class ManagedEtcd {
  private child: ChildProcess | undefined;
  private stopping = false;
  private backoff = 500;
  private timer: NodeJS.Timeout | undefined;
  restarts = 0;

  constructor(readonly config: MemberConfig) {}

  get clientEndpoint(): string {
    return `https://127.0.0.1:${this.config.clientPort}`;
  }

  start(): void {
    mkdirSync(this.config.dataDir, { recursive: true, mode: 0o700 });
    mkdirSync(dirname(this.config.logFile), { recursive: true });
    this.run();
  }

  private run(): void {
    const started = Date.now();
    const out = openSync(this.config.logFile, 'a');
    const child = spawn('/bin/sh', ['-c', WATCHDOG, ETCD_BINARY, ...etcdArgs(this.config)], {
      stdio: ['ignore', out, out],
      env: {
        ...process.env,
        K8TS_SERVER_PID: String(process.pid),
        K8TS_ETCD_PIDFILE: join(dirname(this.config.dataDir), 'etcd.pid'),
      },
    });
    closeSync(out);
    this.child = child;
    child.on('exit', (code, signal) => {
      if (this.stopping) return;
      if (Date.now() - started > 30_000) this.backoff = 500;
      this.restarts++;
      log.warn('etcd exited; restarting', { code, signal, inMs: this.backoff, log: this.config.logFile });
      this.timer = setTimeout(() => this.run(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, 30_000);
    });
  }

  /** Resolves once this member answers /health with health "true" (it has a leader). */
  async waitHealthy(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await memberHealthy(this.clientEndpoint, this.config.tls)) return;
      if (Date.now() > deadline) {
        throw new Error(
          `etcd did not become healthy in ${timeoutMs / 1000}s; see ${this.config.logFile}:\n${tail(this.config.logFile)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}

export function memberHealthy(endpoint: string, tls: EtcdTLSFiles): Promise<boolean> {
  const u = new URL('/health', endpoint);
  return new Promise((resolve) => {
    const req = request(
      {
        host: u.hostname.replace(/^\[|\]$/g, ''),
        port: u.port,
        servername: isIP(u.hostname.replace(/^\[|\]$/g, '')) ? '' : u.hostname,
        path: u.pathname,
        ca: readFileSync(tls.caFile),
        cert: readFileSync(tls.clientCertFile),
        key: readFileSync(tls.clientKeyFile),
        timeout: 2000,
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => {
          try {
            resolve((JSON.parse(body) as { health?: string }).health === 'true');
          } catch {
            resolve(false);
          }
        });
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
