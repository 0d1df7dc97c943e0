// The node's CNI network for containerd's CRI plugin: a Linux bridge (cni0) with host-local IPAM
// over the node's podCIDR, masquerade for traffic leaving the pod network, portmap for
// hostPort, bandwidth for the kubernetes.io/{ingress,egress}-bandwidth annotations. The
// loopback interface of every pod is set up by containerd itself (go-cni's loopback network,
// from the same bin_dir), so it is not part of this list: with max_conf_num = 1 containerd
// reads exactly one network config file.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CNI_NETWORK_NAME = 'k8ts';
export const CNI_BRIDGE = 'cni0';
export const CNI_CONFLIST_FILE = '10-k8ts.conflist';

export interface BridgeNetworkOptions {
  podCIDR: string;
  /** host-local's state (leased IPs); keep it under the data dir so cleanup can find it. */
  ipamDataDir: string;
  bridge?: string;
  mtu?: number;
  /** Masquerade pod traffic leaving the podCIDR (default true); off under the overlay, which masquerades itself. */
  ipMasq?: boolean;
}

/** Checks an IPv4 CIDR (a.b.c.d/n, host bits zero) the way the bridge plugin would need it. */
export function parseIPv4CIDR(cidr: string): { network: number; prefix: number } {
  const m = cidr.match(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/);
  if (!m) throw new Error(`invalid CIDR address: ${cidr}`);
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) throw new Error(`invalid CIDR address: ${cidr}`);
  const ip = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  if ((ip & ~mask) >>> 0 !== 0) throw new Error(`podCIDR ${cidr} has host bits set`);
  if (prefix > 30) throw new Error(`podCIDR ${cidr} is too small for pods (needs /30 or larger)`);
  return { network: ip, prefix };
}

export function bridgeConflist(o: BridgeNetworkOptions): object {
  parseIPv4CIDR(o.podCIDR);
  return {
    cniVersion: '1.0.0',
    name: CNI_NETWORK_NAME,
    plugins: [
      {
        type: 'bridge',
        bridge: o.bridge ?? CNI_BRIDGE,
        isGateway: true,
        ipMasq: o.ipMasq ?? true,
        hairpinMode: true,
        ...(o.mtu ? { mtu: o.mtu } : {}),
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: o.podCIDR }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: o.ipamDataDir,
        },
      },
      { type: 'portmap', snat: true, capabilities: { portMappings: true } },
      { type: 'bandwidth', capabilities: { bandwidth: true } },
    ],
  };
}

/**
 * Writes the conflist into confDir (atomically: containerd watches the dir and must never read
 * half a file). Returns true when the content changed.
 */
export function writeBridgeConflist(confDir: string, o: BridgeNetworkOptions): boolean {
  mkdirSync(confDir, { recursive: true });
  const path = join(confDir, CNI_CONFLIST_FILE);
  const text = JSON.stringify(bridgeConflist(o), null, 2) + '\n';
  let old = '';
  try {
    old = readFileSync(path, 'utf8');
  } catch {
    // first write
  }
  if (old === text) return false;
  writeFileSync(path + '.tmp', text);
  renameSync(path + '.tmp', path);
  return true;
}
