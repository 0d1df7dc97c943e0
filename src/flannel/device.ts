// The VXLAN device (flannel.1) and the node's parent link: found by the node's IP, created with
// flannel's parameters (VNI 1, port 8472, local = node IP, no learning: the controller writes
// every FDB and ARP entry itself), recreated when an earlier run left it with other ones.
import type { NetCommands } from './exec.js';
import { networkAddress } from './cidr.js';
import { VXLAN_DEVICE, VXLAN_OVERHEAD, VXLAN_PORT, VXLAN_VNI } from './table.js';

export interface ParentLink {
  ifname: string;
  mtu: number;
}

interface JsonAddrLink {
  ifname: string;
  mtu: number;
  addr_info?: { local?: string; family?: string; prefixlen?: number }[];
}

interface JsonLink {
  ifname: string;
  address?: string;
  mtu?: number;
  linkinfo?: {
    info_kind?: string;
    info_data?: { id?: number; local?: string; port?: number; link?: string };
  };
}

/** The link that carries `ip` (the node's InternalIP). */
export async function parentLink(cmd: NetCommands, ip: string): Promise<ParentLink> {
  const links = await cmd.ipJson<JsonAddrLink>(['-4', 'addr', 'show']);
  for (const l of links)
    if (l.addr_info?.some((a) => a.local === ip)) return { ifname: l.ifname, mtu: l.mtu };
  throw new Error(`no interface has the node IP ${ip}`);
}

/** Pods' MTU under VXLAN: the parent's less the encapsulation. */
export function vxlanMTU(parent: ParentLink): number {
  return parent.mtu - VXLAN_OVERHEAD;
}

async function showDevice(cmd: NetCommands, name: string): Promise<JsonLink | undefined> {
  try {
    return (await cmd.ipJson<JsonLink>(['-d', 'link', 'show', 'dev', name]))[0];
  } catch {
    return undefined; // no such device
  }
}

/** Creates or fixes flannel.1 for this node; answers its MAC (the VTEP MAC to publish). */
export async function ensureVxlanDevice(
  cmd: NetCommands,
  o: { localIP: string; parent: ParentLink; podCIDR: string },
): Promise<string> {
  const mtu = vxlanMTU(o.parent);
  let dev = await showDevice(cmd, VXLAN_DEVICE);
  const d = dev?.linkinfo?.info_data;
  const fits =
    dev?.linkinfo?.info_kind === 'vxlan' &&
    d?.id === VXLAN_VNI &&
    d.local === o.localIP &&
    d.port === VXLAN_PORT &&
    (d.link === undefined || d.link === o.parent.ifname);
  if (dev && !fits) {
    await cmd.run('ip', ['link', 'del', VXLAN_DEVICE]);
    dev = undefined;
  }
  if (!dev) {
    await cmd.run('ip', [
      'link',
      'add',
      VXLAN_DEVICE,
      'type',
      'vxlan',
      'id',
      String(VXLAN_VNI),
      'local',
      o.localIP,
      'dev',
      o.parent.ifname,
      'dstport',
      String(VXLAN_PORT),
      'nolearning',
    ]);
  }
  if (dev?.mtu !== mtu) await cmd.run('ip', ['link', 'set', VXLAN_DEVICE, 'mtu', String(mtu)]);
  // the device carries the podCIDR's network address as a /32, nothing else
  const want = `${networkAddress(o.podCIDR)}/32`;
  const addrs = await cmd.ipJson<JsonAddrLink>(['-4', 'addr', 'show', 'dev', VXLAN_DEVICE]);
  const have = (addrs[0]?.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`);
  for (const a of have) if (a !== want) await cmd.run('ip', ['addr', 'del', a, 'dev', VXLAN_DEVICE]);
  if (!have.includes(want)) await cmd.run('ip', ['addr', 'add', want, 'dev', VXLAN_DEVICE]);
  await cmd.run('ip', ['link', 'set', VXLAN_DEVICE, 'up']);
  const mac = (await showDevice(cmd, VXLAN_DEVICE))?.address;
  if (!mac) throw new Error(`${VXLAN_DEVICE} has no MAC address`);
  return mac.toLowerCase();
}

export async function deleteVxlanDevice(cmd: NetCommands): Promise<boolean> {
  if (!(await showDevice(cmd, VXLAN_DEVICE))) return false;
  await cmd.run('ip', ['link', 'del', VXLAN_DEVICE]);
  return true;
}
