// IPv4 address arithmetic the overlay needs: a subnet's network address (flannel's gateway for a
// node's podCIDR) and containment in the cluster CIDR.
export function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
    throw new Error(`invalid IPv4 address: ${ip}`);
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface Cidr {
  network: number;
  prefix: number;
  mask: number;
}

export function parseCidr(cidr: string): Cidr {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(cidr);
  if (!m || Number(m[2]) > 32) throw new Error(`invalid CIDR address: ${cidr}`);
  const prefix = Number(m[2]);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { network: (ipToInt(m[1]) & mask) >>> 0, prefix, mask };
}

/** 10.42.3.0/24 → 10.42.3.0 (what flannel puts on flannel.1 and routes through). */
export function networkAddress(cidr: string): string {
  return intToIp(parseCidr(cidr).network);
}

/** Whether `inner` (an address or a CIDR) lies inside `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = inner.includes('/') ? parseCidr(inner) : { network: ipToInt(inner), prefix: 32 };
  return i.prefix >= o.prefix && (i.network & o.mask) >>> 0 === o.network;
}

/** An address as ip -j prints a host route's dst (no /32) or a subnet (with its prefix). */
export function canonicalCidr(cidr: string): string {
  const c = parseCidr(cidr);
  return `${intToIp(c.network)}/${c.prefix}`;
}
