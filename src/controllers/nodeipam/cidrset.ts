// A set of equal-sized subnets carved from one cluster CIDR (upstream's cidrset.CidrSet): the
// next free one is handed out in order, released ones are reused. Works for IPv4 and IPv6.
import { isIP } from 'node:net';

function parseIP(ip: string): { value: bigint; bits: number } {
  if (isIP(ip) === 4) {
    const v = ip.split('.').reduce((acc, o) => (acc << 8n) + BigInt(Number(o)), 0n);
    return { value: v, bits: 32 };
  }
  if (isIP(ip) !== 6) throw new Error(`invalid IP address: ${ip}`);
  const [head, tail = ''] = ip.includes('::') ? ip.split('::') : [ip, undefined as unknown as string];
  const h = head ? head.split(':') : [];
  const t = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return { value: groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g || '0', 16)), 0n), bits: 128 };
}

function formatIP(value: bigint, bits: number): string {
  if (bits === 32) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((value >> BigInt(i * 16)) & 0xffffn).toString(16));
  // shorten the longest run of zero groups, as Go's net.IP.String does
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

export class CidrSet {
  readonly family: 'IPv4' | 'IPv6';
  private readonly base: bigint;
  private readonly bits: number;
  private readonly count: number;
  private readonly used = new Set<number>();
  private next = 0;

  /** `cidr` e.g. 10.42.0.0/16; `maskSize` the prefix length of each subnet, e.g. 24. */
  constructor(
    cidr: string,
    readonly maskSize: number,
  ) {
    const [ip, prefixText] = cidr.split('/');
    const prefix = Number(prefixText);
    const { value, bits } = parseIP(ip);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) throw new Error(`invalid CIDR: ${cidr}`);
    if (maskSize < prefix || maskSize > bits)
      throw new Error(`node CIDR mask size /${maskSize} does not fit cluster CIDR ${cidr}`);
    // upstream refuses sets of more than 2^16 subnets
    if (maskSize - prefix > 16) throw new Error(`cluster CIDR ${cidr} holds too many /${maskSize} subnets`);
    this.bits = bits;
    this.family = bits === 32 ? 'IPv4' : 'IPv6';
    const hostBits = BigInt(bits - prefix);
    this.base = (value >> hostBits) << hostBits;
    this.count = 2 ** (maskSize - prefix);
  }

  private subnet(i: number): string {
    const v = this.base + (BigInt(i) << BigInt(this.bits - this.maskSize));
    return `${formatIP(v, this.bits)}/${this.maskSize}`;
  }

  /** The index of a subnet of this set, or undefined if it is not one. */
  private indexOf(cidr: string): number | undefined {
    const [ip, prefixText] = cidr.split('/');
    if (Number(prefixText) !== this.maskSize) return undefined;
    let parsed;
    try {
      parsed = parseIP(ip);
    } catch {
      return undefined;
    }
    if (parsed.bits !== this.bits) return undefined;
    const offset = parsed.value - this.base;
    const step = 1n << BigInt(this.bits - this.maskSize);
    if (offset < 0n || offset % step !== 0n) return undefined;
    const i = Number(offset / step);
    return i < this.count ? i : undefined;
  }

  contains(cidr: string): boolean {
    return this.indexOf(cidr) !== undefined;
  }

  /** Marks a subnet (e.g. one a node already has) as taken. */
  occupy(cidr: string): boolean {
    const i = this.indexOf(cidr);
    if (i === undefined) return false;
    this.used.add(i);
    return true;
  }

  release(cidr: string): void {
    const i = this.indexOf(cidr);
    if (i !== undefined) this.used.delete(i);
  }

  /** The next free subnet, or undefined when all are taken. */
  allocateNext(): string | undefined {
    for (let k = 0; k < this.count; k++) {
      const i = (this.next + k) % this.count;
      if (this.used.has(i)) continue;
      this.used.add(i);
      this.next = (i + 1) % this.count;
      return this.subnet(i);
    }
    return undefined;
  }
}
