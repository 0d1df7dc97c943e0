// Who a node is: the local machine as a real kubelet reports it, or simulated node i with the
// capacity it is told. Allocatable for the local node subtracts upstream's default hard
// eviction thresholds (memory.available<100Mi, nodefs.available<10%); sim nodes offer their
// whole capacity, as KWOK's do.
import { randomUUID } from 'node:crypto';
import { readFileSync, statfsSync } from 'node:fs';
import { cpus, hostname, release, totalmem } from 'node:os';
import { firstHostIPv4 } from '../util/host-ip.js';
import { parseQuantity, quantityToString, type Quantity } from '../api/quantity.js';
import { goArch, nodeLabels, type NodeIdentity } from './node-status.js';

export const DEFAULT_SIM_CAPACITY: Record<string, string> = {
  cpu: '8',
  memory: '32Gi',
  pods: '110',
  'ephemeral-storage': '100Gi',
};

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8').trim() || fallback;
  } catch {
    return fallback;
  }
}

function osImage(): string {
  const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readOr('/etc/os-release', ''));
  return m ? m[1] : 'Linux';
}

/** The first non-loopback IPv4 address: the node IP when --node-ip is not given. */
export function defaultNodeIP(): string {
  return firstHostIPv4();
}

/** "cpu=8,memory=32Gi,pods=110" → resource map (quantities checked). */
export function parseCapacity(spec: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`invalid capacity "${part}": want name=quantity`);
    const name = part.slice(0, eq);
    const value = part.slice(eq + 1);
    let q: Quantity;
    try {
      q = parseQuantity(value);
    } catch {
      throw new Error(`invalid capacity "${part}": "${value}" is not a quantity`);
    }
    out[name] = quantityToString(q);
  }
  return out;
}

/** "k=v,k2=v2" → labels. */
export function parseLabels(spec: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`invalid label "${part}": want key=value`);
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/** "key=value:Effect,key2:Effect" → taints (kubelet's --register-with-taints syntax). */
export function parseTaints(spec: string): { key: string; value?: string; effect: string }[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(part);
      if (!m)
        throw new Error(`invalid taint "${part}": want key[=value]:NoSchedule|PreferNoSchedule|NoExecute`);
      const t: { key: string; value?: string; effect: string } = { key: m[1], effect: m[3] };
      if (m[2]) t.value = m[2];
      return t;
    });
}

/** The node's name: --node-name, else the host name, lowercased (a Node name is a DNS subdomain). */
export function nodeNameOf(flag?: string): string {
  return (flag ?? hostname()).toLowerCase();
}

export function localIdentity(opts: {
  name?: string;
  dataDir: string;
  runtimeVersion: string;
  controlPlane: boolean;
}): NodeIdentity {
  const name = nodeNameOf(opts.name);
  const memKi = Math.floor(totalmem() / 1024);
  let diskBytes = 0;
  try {
    const fs = statfsSync(opts.dataDir);
    diskBytes = fs.blocks * fs.bsize;
  } catch {
    diskBytes = 0;
  }
  const arch = goArch();
  const capacity: Record<string, string> = {
    cpu: String(cpus().length),
    'ephemeral-storage': `${Math.floor(diskBytes / 1024)}Ki`,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: `${memKi}Ki`,
    pods: '110',
  };
  const allocatable = {
    ...capacity,
    'ephemeral-storage': String(Math.floor(diskBytes * 0.9)),
    memory: `${Math.max(0, memKi - 100 * 1024)}Ki`,
  };
  return {
    name,
    internalIP: defaultNodeIP(),
    capacity,
    allocatable,
    labels: nodeLabels(name, arch, opts.controlPlane),
    runtimeVersion: opts.runtimeVersion,
    osImage: osImage(),
    kernelVersion: release(),
    architecture: arch,
    machineID: readOr('/etc/machine-id', randomUUID().replace(/-/g, '')),
    systemUUID: readOr('/sys/class/dmi/id/product_uuid', randomUUID()),
    bootID: readOr('/proc/sys/kernel/random/boot_id', randomUUID()),
  };
}

export function simIdentity(opts: {
  index: number;
  capacity: Record<string, string>;
  labels: Record<string, string>;
  taints: { key: string; value?: string; effect: string }[];
  runtimeVersion: string;
}): NodeIdentity {
  const name = `sim-node-${opts.index}`;
  const off = opts.index + 1;
  const capacity = { ...DEFAULT_SIM_CAPACITY, ...opts.capacity };
  return {
    name,
    internalIP: `100.${64 + ((off >> 16) & 63)}.${(off >> 8) & 255}.${off & 255}`,
    capacity,
    allocatable: { ...capacity },
    labels: { ...nodeLabels(name, 'amd64', false), 'k8ts.io/sim-node': 'true', ...opts.labels },
    taints: opts.taints,
    runtimeVersion: opts.runtimeVersion,
    osImage: 'k8ts simulated node',
    kernelVersion: release(),
    architecture: 'amd64',
    machineID: randomUUID().replace(/-/g, ''),
    systemUUID: randomUUID(),
    bootID: randomUUID(),
  };
}

/**
 * The pod CIDR a sim node uses while node IPAM has given it none: a /26 of 10.42.0.0/16 past
 * the first /24 (which the local agent's fallback takes), so 1,000 nodes fit without overlap.
 */
export function simFallbackCIDR(index: number): string {
  const block = (index + 4) * 64;
  return `10.42.${(block >> 8) & 255}.${block & 255}/26`;
}
