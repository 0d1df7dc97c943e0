// A multi-node k8ts cluster on one machine for the e2e tests: the server (control plane, no
// agent) in the current network namespace, and N agents each in its own namespace overlay-nI
// with its own containerd, data dir and kube-proxy. The nodes' links hang on a bridge
// (k8tsbr-ovl) that lives in a namespace of its own (overlay-hub), so no host firewall sees
// the VXLAN traffic between them; the current namespace joins the bridge as 10.77.0.1, where
// the API server listens. docs/multi-node.md does the same by hand.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeCgroupTree } from '../../src/kubelet/containerd/cgroups.js';
import { hostNames } from '../../src/kubelet/runtime/index.js';
import { ROOT, startServer, cleanup as cleanupServer, type TestServer } from '../integration/harness.js';

export const HUB_NS = 'overlay-hub';
export const BRIDGE = 'k8tsbr-ovl';
export const HUB_IP = '10.77.0.1';

export interface AgentNode {
  name: string;
  netns: string;
  ip: string;
  dataDir: string;
  agent: ChildProcess;
  proxy: ChildProcess;
  log: () => string;
}

export interface Cluster {
  server: TestServer;
  nodes: AgentNode[];
  /** runs a command in a node's namespace, answers stdout */
  inNode(node: AgentNode, cmd: string, args: string[]): string;
}

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' });
const trySh = (cmd: string, args: string[]) => {
  try {
    return sh(cmd, args);
  } catch {
    return undefined;
  }
};

function nsenter(netns: string, args: string[], log: (s: string) => void): ChildProcess {
  // nsenter, not `ip netns exec`: the latter remounts /sys and hides the cgroup mount from runc
  const p = spawn('nsenter', [`--net=/var/run/netns/${netns}`, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  p.stdout!.on('data', (d: Buffer) => log(d.toString()));
  p.stderr!.on('data', (d: Buffer) => log(d.toString()));
  return p;
}

/** Namespaces, the bridge and the veths (removes leftovers of an earlier run first). */
export function createNetwork(count: number): void {
  removeNetwork(count);
  sh('ip', ['netns', 'add', HUB_NS]);
  sh('ip', ['-n', HUB_NS, 'link', 'add', BRIDGE, 'type', 'bridge']);
  sh('ip', ['-n', HUB_NS, 'link', 'set', BRIDGE, 'up']);
  // the bridge's own netfilter hooks would see every bridged frame: keep them out of it
  sh('ip', [
    'netns',
    'exec',
    HUB_NS,
    'sh',
    '-c',
    'echo 0 > /proc/sys/net/bridge/bridge-nf-call-iptables || true',
  ]);
  sh('ip', ['link', 'add', 'ovl-host', 'type', 'veth', 'peer', 'name', 'ovl-host-p', 'netns', HUB_NS]);
  sh('ip', ['-n', HUB_NS, 'link', 'set', 'ovl-host-p', 'master', BRIDGE, 'up']);
  sh('ip', ['addr', 'add', `${HUB_IP}/24`, 'dev', 'ovl-host']);
  sh('ip', ['link', 'set', 'ovl-host', 'up']);
  for (let i = 1; i <= count; i++) {
    const ns = `overlay-n${i}`;
    sh('ip', ['netns', 'add', ns]);
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    sh('ip', ['-n', HUB_NS, 'link', 'add', `ovl-n${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    sh('ip', ['-n', HUB_NS, 'link', 'set', `ovl-n${i}`, 'master', BRIDGE, 'up']);
    sh('ip', ['-n', ns, 'addr', 'add', `10.77.0.${10 + i}/24`, 'dev', 'eth0']);
    sh('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    sh('ip', ['-n', ns, 'route', 'add', 'default', 'via', HUB_IP]);
  }
}

export function removeNetwork(count: number): void {
  for (let i = 1; i <= count; i++) trySh('ip', ['netns', 'del', `overlay-n${i}`]);
  trySh('ip', ['netns', 'del', HUB_NS]); // takes ovl-host with its peer
  trySh('ip', ['link', 'del', 'ovl-host']);
}

export async function startCluster(o: { nodes: number; clusterCIDR: string; tag: string }): Promise<Cluster> {
  createNetwork(o.nodes);
  const server = await startServer([
    '--bind-address',
    '0.0.0.0',
    '--tls-san',
    HUB_IP,
    '--cluster-cidr',
    o.clusterCIDR,
  ]);
  // the agents reach the API server over the bridge, not loopback
  const kc = join(server.dir, 'agents.kubeconfig');
  writeFileSync(
    kc,
    readFileSync(server.kubeconfig, 'utf8').replace(
      /server: https:\/\/[^\s]+/,
      `server: https://${HUB_IP}:${server.port}`,
    ),
  );
  const nodes: AgentNode[] = [];
  for (let i = 1; i <= o.nodes; i++) {
    const name = `ovl-n${i}`;
    const netns = `overlay-n${i}`;
    const ip = `10.77.0.${10 + i}`;
    const dataDir = `/tmp/${o.tag}-${name}`;
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    let out = '';
    const log = (s: string) => (out += s);
    const k8ts = join(ROOT, 'bin', 'k8ts');
    const agent = nsenter(
      netns,
      [
        k8ts,
        'agent',
        '--kubeconfig',
        kc,
        '--runtime',
        'containerd',
        '--node-name',
        name,
        '--node-ip',
        ip,
        '--data-dir',
        dataDir,
        '--cluster-cidr',
        o.clusterCIDR,
      ],
      log,
    );
    const proxy = nsenter(
      netns,
      [k8ts, 'proxy', '--kubeconfig', kc, '--hostname-override', name, '--cluster-cidr', o.clusterCIDR],
      log,
    );
    nodes.push({ name, netns, ip, dataDir, agent, proxy, log: () => out });
  }
  return {
    server,
    nodes,
    inNode: (node, cmd, args) => sh('nsenter', [`--net=/var/run/netns/${node.netns}`, cmd, ...args]),
  };
}

const exited = (p: ChildProcess) =>
  p.exitCode !== null || p.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => p.once('exit', () => r()));

/** Stops agents and proxies (containerd stops with its agent), the server, and removes everything. */
export async function stopCluster(c: Cluster, afterAgents?: () => void): Promise<void> {
  for (const n of c.nodes) {
    n.proxy.kill('SIGTERM');
    n.agent.kill('SIGTERM');
  }
  await Promise.all(c.nodes.flatMap((n) => [exited(n.proxy), exited(n.agent)]));
  await c.server.stop();
  afterAgents?.();
  for (const n of c.nodes) {
    removeCgroupTree(hostNames(n.dataDir).cgroupRoot);
    rmSync(n.dataDir, { recursive: true, force: true });
  }
  removeNetwork(c.nodes.length);
  cleanupServer(c.server);
}
