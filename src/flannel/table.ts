// What flannel's kube subnet manager reads from Node objects (a "lease": podCIDR, public IP,
// backend type and VTEP MAC) and the forwarding tables that follow from them. Pure functions:
// the controller reads the kernel's tables, compares them with these and applies the difference.
import { isRecord, type KubeObject } from '../api/types.js';
import { canonicalCidr, networkAddress } from './cidr.js';

export const VXLAN_DEVICE = 'flannel.1';
export const VXLAN_VNI = 1;
/** Linux's VXLAN port (IANA's is 4789); flannel keeps 8472 */
export const VXLAN_PORT = 8472;
/** outer IPv4 (20) + UDP (8) + VXLAN (8) + inner Ethernet (14) headers */
export const VXLAN_OVERHEAD = 50;

const PREFIX = 'flannel.alpha.coreos.com';
export const ANNOTATIONS = {
  backendType: `${PREFIX}/backend-type`,
  backendData: `${PREFIX}/backend-data`,
  kubeSubnetManager: `${PREFIX}/kube-subnet-manager`,
  publicIP: `${PREFIX}/public-ip`,
  publicIPOverwrite: `${PREFIX}/public-ip-overwrite`,
} as const;

export type Backend = 'vxlan' | 'host-gw';

export interface Lease {
  node: string;
  podCIDR: string;
  publicIP: string;
  backendType: string;
  vtepMAC?: string;
}

function internalIP(node: KubeObject): string {
  const addrs = isRecord(node.status) && Array.isArray(node.status.addresses) ? node.status.addresses : [];
  for (const a of addrs)
    if (isRecord(a) && a.type === 'InternalIP' && typeof a.address === 'string') return a.address;
  return '';
}

/** The lease a node's object describes, or undefined while it has no podCIDR or address yet. */
export function leaseOf(node: KubeObject): Lease | undefined {
  const spec = isRecord(node.spec) ? node.spec : {};
  const podCIDR = typeof spec.podCIDR === 'string' ? spec.podCIDR : '';
  const ann = node.metadata.annotations ?? {};
  const publicIP = ann[ANNOTATIONS.publicIPOverwrite] || ann[ANNOTATIONS.publicIP] || internalIP(node);
  if (!podCIDR || !publicIP || podCIDR.includes(':')) return undefined;
  let vtepMAC: string | undefined;
  try {
    const data: unknown = JSON.parse(ann[ANNOTATIONS.backendData] ?? 'null');
    if (isRecord(data) && typeof data.VtepMAC === 'string') vtepMAC = data.VtepMAC.toLowerCase();
  } catch {
    vtepMAC = undefined; // a node with broken backend data gets no entries until it fixes them
  }
  return {
    node: node.metadata.name ?? '',
    podCIDR: canonicalCidr(podCIDR),
    publicIP,
    backendType: ann[ANNOTATIONS.backendType] ?? '',
    vtepMAC,
  };
}

/** The annotations this node publishes (flannel's kube subnet manager writes the same four). */
export function ownAnnotations(backend: Backend, publicIP: string, vtepMAC?: string): Record<string, string> {
  return {
    [ANNOTATIONS.backendType]: backend,
    [ANNOTATIONS.backendData]:
      backend === 'vxlan' ? JSON.stringify({ VNIVersion: 1, VtepMAC: vtepMAC ?? '' }) : 'null',
    [ANNOTATIONS.kubeSubnetManager]: 'true',
    [ANNOTATIONS.publicIP]: publicIP,
  };
}

/** dst CIDR → gateway; IP → MAC; MAC → remote VTEP IP. */
export interface VxlanTable {
  routes: Map<string, string>;
  neighs: Map<string, string>;
  fdb: Map<string, string>;
}

export function emptyTable(): VxlanTable {
  return { routes: new Map(), neighs: new Map(), fdb: new Map() };
}

/** Every other VXLAN node: route podCIDR via its network address onlink, ARP and FDB entries. */
export function desiredVxlan(self: string, leases: Lease[]): VxlanTable {
  const t = emptyTable();
  for (const l of leases) {
    if (l.node === self || l.backendType !== 'vxlan' || !l.vtepMAC) continue;
    const gw = networkAddress(l.podCIDR);
    t.routes.set(l.podCIDR, gw);
    t.neighs.set(gw, l.vtepMAC);
    t.fdb.set(l.vtepMAC, l.publicIP);
  }
  return t;
}

/** host-gw: every other node's podCIDR via its public IP (which must be on our link). */
export function desiredHostGw(self: string, leases: Lease[]): Map<string, string> {
  const routes = new Map<string, string>();
  for (const l of leases)
    if (l.node !== self && l.backendType === 'host-gw') routes.set(l.podCIDR, l.publicIP);
  return routes;
}

interface JsonRoute {
  dst?: string;
  gateway?: string;
}
interface JsonNeigh {
  dst?: string;
  lladdr?: string;
}
interface JsonFdb {
  mac?: string;
  dst?: string;
}

/** The kernel's entries on the VXLAN device, from `ip -j route/neigh` and `bridge -j fdb`. */
export function parseVxlanTable(routes: JsonRoute[], neighs: JsonNeigh[], fdb: JsonFdb[]): VxlanTable {
  const t = emptyTable();
  for (const r of routes)
    if (r.dst && r.gateway && r.dst !== 'default')
      t.routes.set(canonicalCidr(r.dst.includes('/') ? r.dst : `${r.dst}/32`), r.gateway);
  for (const n of neighs) if (n.dst && n.lladdr) t.neighs.set(n.dst, n.lladdr.toLowerCase());
  for (const f of fdb) if (f.mac && f.dst) t.fdb.set(f.mac.toLowerCase(), f.dst);
  return t;
}

/**
 * The commands that turn `current` into `desired`: bridge lines (FDB) and ip lines (neighbours
 * first, then routes, so a route never points at a gateway without an ARP entry).
 */
export function vxlanBatches(
  current: VxlanTable,
  desired: VxlanTable,
  dev = VXLAN_DEVICE,
): { bridge: string[]; ip: string[] } {
  const bridge: string[] = [];
  const ip: string[] = [];
  for (const [mac, dst] of desired.fdb)
    if (current.fdb.get(mac) !== dst) bridge.push(`fdb replace ${mac} dev ${dev} dst ${dst} self permanent`);
  for (const [mac, dst] of current.fdb)
    if (!desired.fdb.has(mac)) bridge.push(`fdb del ${mac} dev ${dev} dst ${dst} self`);
  for (const [addr, mac] of desired.neighs)
    if (current.neighs.get(addr) !== mac)
      ip.push(`neigh replace ${addr} lladdr ${mac} dev ${dev} nud permanent`);
  for (const [dst, gw] of desired.routes)
    if (current.routes.get(dst) !== gw) ip.push(`route replace ${dst} via ${gw} dev ${dev} onlink`);
  for (const dst of current.routes.keys())
    if (!desired.routes.has(dst)) ip.push(`route del ${dst} dev ${dev}`);
  for (const addr of current.neighs.keys())
    if (!desired.neighs.has(addr)) ip.push(`neigh del ${addr} dev ${dev}`);
  return { bridge, ip };
}

/** host-gw routes on the parent link: `current` are the routes into the cluster CIDR via a gateway. */
export function hostGwBatch(
  current: Map<string, string>,
  desired: Map<string, string>,
  dev: string,
): string[] {
  const ip: string[] = [];
  for (const [dst, gw] of desired)
    if (current.get(dst) !== gw) ip.push(`route replace ${dst} via ${gw} dev ${dev}`);
  for (const dst of current.keys()) if (!desired.has(dst)) ip.push(`route del ${dst} dev ${dev}`);
  return ip;
}

export function parseRoutes(routes: JsonRoute[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of routes)
    if (r.dst && r.gateway && r.dst !== 'default')
      out.set(canonicalCidr(r.dst.includes('/') ? r.dst : `${r.dst}/32`), r.gateway);
  return out;
}
