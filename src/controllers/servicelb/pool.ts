// An address pool for LoadBalancer services: CIDRs (`192.168.100.0/28`) and ranges
// (`192.168.100.10-192.168.100.20`), comma-separated, IPv4. A CIDR's network and broadcast
// addresses are not handed out (for prefixes shorter than /31), as MetalLB's avoidBuggyIPs.
export class AddressPoolError extends Error {}

const toNum = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const toIP = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

export class AddressPool {
  private readonly ranges: [number, number][] = [];

  constructor(spec: string) {
    for (const part of spec
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const cidr = /^([\d.]+)\/(\d+)$/.exec(part);
      const range = /^([\d.]+)-([\d.]+)$/.exec(part);
      if (cidr && IPV4.test(cidr[1]) && Number(cidr[2]) <= 32) {
        const bits = Number(cidr[2]);
        const size = 2 ** (32 - bits);
        const base = Math.floor(toNum(cidr[1]) / size) * size;
        this.ranges.push(bits < 31 ? [base + 1, base + size - 2] : [base, base + size - 1]);
      } else if (range && IPV4.test(range[1]) && IPV4.test(range[2]) && toNum(range[1]) <= toNum(range[2])) {
        this.ranges.push([toNum(range[1]), toNum(range[2])]);
      } else {
        throw new AddressPoolError(
          `invalid address pool entry "${part}": want a CIDR (10.0.0.0/28) or a range (10.0.0.10-10.0.0.20)`,
        );
      }
    }
    if (this.ranges.length === 0) throw new AddressPoolError('empty address pool');
    const sorted = [...this.ranges].sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < sorted.length; i++)
      if (sorted[i][0] <= sorted[i - 1][1])
        throw new AddressPoolError(`address pool entries overlap: ${spec}`);
  }

  contains(ip: string): boolean {
    if (!IPV4.test(ip)) return false;
    const n = toNum(ip);
    return this.ranges.some(([a, b]) => n >= a && n <= b);
  }

  firstFree(taken: Set<string>): string | undefined {
    for (const [a, b] of this.ranges)
      for (let n = a; n <= b; n++) {
        const ip = toIP(n);
        if (!taken.has(ip)) return ip;
      }
    return undefined;
  }
}
