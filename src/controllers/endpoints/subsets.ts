// Endpoints subsets as upstream packs them (pkg/api/v1/endpoints RepackSubsets): every pod
// address is filed under each port it serves, then ports offered by the same set of addresses
// share one subset. Addresses are sorted by IP then pod uid; ports, then subsets, by the MD5 of
// their go-spew rendering (SortSubsets), which decides the order `kubectl get endpoints` prints.
import { createHash } from 'node:crypto';
import { endpointPort, endpointSubset, type GoType } from '../common/go-types.js';
import { spew } from '../common/spew.js';

export interface Address {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind: string; namespace: string; name: string; uid: string };
}

export interface Port {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface Subset {
  addresses?: Address[];
  notReadyAddresses?: Address[];
  ports?: Port[];
}

const addrKey = (a: Address) => `${a.ip}/${a.targetRef?.uid ?? ''}`;
const portKey = (p: Port) => `${p.name ?? ''}/${p.port}/${p.protocol}/${p.appProtocol ?? ''}`;

export function lessAddress(a: Address, b: Address): number {
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  const ua = a.targetRef?.uid ?? '';
  const ub = b.targetRef?.uid ?? '';
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

/** Sorts by the MD5 of each value's go-spew text, as upstream's portsByHash and subsetsByHash. */
function sortByHash<T>(values: T[], t: GoType): T[] {
  const keyed = values.map((v) => ({ v, h: createHash('md5').update(spew(t, v)).digest('hex') }));
  return keyed.sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0)).map((e) => e.v);
}

export function repackSubsets(pieces: Subset[]): Subset[] {
  const addrs = new Map<string, Address>();
  // port key (or '' for "no ports") → address key → ready
  const byPort = new Map<string, { port?: Port; members: Map<string, boolean> }>();
  const file = (port: Port | undefined, s: Subset) => {
    const k = port ? portKey(port) : '';
    let entry = byPort.get(k);
    if (!entry) byPort.set(k, (entry = { port, members: new Map() }));
    for (const a of s.addresses ?? []) {
      if (!addrs.has(addrKey(a))) addrs.set(addrKey(a), a);
      if (entry.members.get(addrKey(a)) !== false) entry.members.set(addrKey(a), true);
    }
    for (const a of s.notReadyAddresses ?? []) {
      if (!addrs.has(addrKey(a))) addrs.set(addrKey(a), a);
      // not ready wins over ready for the same address (upstream's mapAddressByPort)
      entry.members.set(addrKey(a), false);
    }
  };
  for (const s of pieces) {
    if (!s.ports?.length) file(undefined, s);
    else for (const p of s.ports) file(p, s);
  }
  // ports offered by the same addresses (with the same readiness) share a subset
  const groups = new Map<string, { members: Map<string, boolean>; ports: Port[] }>();
  for (const { port, members } of byPort.values()) {
    const key = [...members]
      .map(([k, r]) => `${k}=${r}`)
      .sort()
      .join(',');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { members, ports: [] }));
    if (port) g.ports.push(port);
  }
  const out: Subset[] = [];
  for (const g of groups.values()) {
    const ready: Address[] = [];
    const notReady: Address[] = [];
    for (const [k, r] of g.members) (r ? ready : notReady).push(addrs.get(k)!);
    const s: Subset = {};
    if (ready.length) s.addresses = ready.sort(lessAddress);
    if (notReady.length) s.notReadyAddresses = notReady.sort(lessAddress);
    if (g.ports.length) s.ports = sortByHash(g.ports, endpointPort);
    out.push(s);
  }
  return sortByHash(out, endpointSubset);
}

/** Keeps at most `max` addresses, ready ones first (the object is then annotated over-capacity). */
export function truncate(subsets: Subset[], max: number): { subsets: Subset[]; truncated: boolean } {
  const total = subsets.reduce(
    (n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0),
    0,
  );
  if (total <= max) return { subsets, truncated: false };
  let left = max;
  const take = (list: Address[] | undefined) => {
    if (!list) return undefined;
    const kept = list.slice(0, Math.max(0, left));
    left -= kept.length;
    return kept.length ? kept : undefined;
  };
  const readyKept = subsets.map((s) => take(s.addresses));
  const out = subsets
    .map((s, i) => ({ ...s, addresses: readyKept[i], notReadyAddresses: take(s.notReadyAddresses) }))
    .map((s) => {
      const c: Subset = { ports: s.ports };
      if (s.addresses) c.addresses = s.addresses;
      if (s.notReadyAddresses) c.notReadyAddresses = s.notReadyAddresses;
      return c;
    })
    .filter((s) => s.addresses || s.notReadyAddresses);
  return { subsets: out, truncated: true };
}

/** Canonical JSON: sorted keys, empty lists and absent fields alike. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(canonical) : undefined;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      if (k === 'resourceVersion' || k === 'apiVersion' || k === 'fieldPath') continue;
      const c = canonical((v as Record<string, unknown>)[k]);
      if (c !== undefined && c !== '') out[k] = c;
    }
    return out;
  }
  return v;
}

export function sameSubsets(a: Subset[] | undefined, b: Subset[]): boolean {
  return JSON.stringify(canonical(a ?? [])) === JSON.stringify(canonical(b));
}
