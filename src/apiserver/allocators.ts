// ClusterIP and NodePort allocation (upstream's ipallocator/portallocator). State lives in the
// Services themselves: the allocators are rebuilt from stored Services at start, and the API
// server is the only writer, so an in-memory bitmap is enough for one server.
import { invalidValue, type FieldError } from './registry/validation.js';
import type { Allocators } from './registry/strategy.js';

export class AllocationError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => e.detail).join('; '));
  }
}

function ipToInt(ip: string): number {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) return NaN;
  return ((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + p[3];
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseCIDR(cidr: string): { base: number; size: number } {
  const [ip, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const base = ipToInt(ip);
  if (Number.isNaN(base) || !Number.isInteger(bits) || bits < 8 || bits > 30)
    throw new Error(`invalid IPv4 CIDR "${cidr}"`);
  const size = 2 ** (32 - bits);
  return { base: base - (base % size), size };
}

/** The n-th address of a CIDR (1 = the first usable one: 10.43.0.1 for 10.43.0.0/16). */
export function nthIP(cidr: string, n: number): string {
  return intToIp(parseCIDR(cidr).base + n);
}

export const NODE_PORT_RANGE = { min: 30000, max: 32767 };

export class ServiceAllocators implements Allocators {
  readonly serviceCIDRs: string[];
  private readonly base: number;
  private readonly size: number;
  private readonly usedIPs = new Set<number>();
  private readonly usedPorts = new Set<number>();
  private nextIP = 0;

  constructor(serviceCIDR: string) {
    this.serviceCIDRs = [serviceCIDR];
    ({ base: this.base, size: this.size } = parseCIDR(serviceCIDR));
  }

  /** Marks what an existing Service holds (at start-up). */
  reserve(
    spec: { clusterIPs?: string[]; clusterIP?: string; ports?: { nodePort?: number }[] } | undefined,
  ): void {
    for (const ip of spec?.clusterIPs ?? (spec?.clusterIP ? [spec.clusterIP] : [])) {
      const n = ipToInt(ip);
      if (!Number.isNaN(n)) this.usedIPs.add(n);
    }
    for (const p of spec?.ports ?? []) if (p.nodePort) this.usedPorts.add(p.nodePort);
  }

  allocateServiceIP(family: 'IPv4' | 'IPv6', requested?: string): string {
    if (family !== 'IPv4') {
      throw new AllocationError([invalidValue('spec.ipFamilies', [family], 'not configured on this server')]);
    }
    const cidr = this.serviceCIDRs[0];
    if (requested) {
      const n = ipToInt(requested);
      if (Number.isNaN(n) || n <= this.base || n >= this.base + this.size - 1) {
        throw new AllocationError([
          invalidValue(
            'spec.clusterIPs',
            [requested],
            `failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${cidr}`,
          ),
        ]);
      }
      if (this.usedIPs.has(n)) {
        throw new AllocationError([
          invalidValue(
            'spec.clusterIPs',
            [requested],
            `failed to allocate IP ${requested}: provided IP is already allocated`,
          ),
        ]);
      }
      this.usedIPs.add(n);
      return requested;
    }
    // skip the network address and the first IP (reserved for the kubernetes Service) and broadcast
    const usable = this.size - 2;
    for (let i = 0; i < usable; i++) {
      const off = 1 + ((this.nextIP + i) % usable);
      const n = this.base + off;
      if (off === 1 || this.usedIPs.has(n)) continue;
      this.usedIPs.add(n);
      this.nextIP = off;
      return intToIp(n);
    }
    throw new AllocationError([
      invalidValue('spec.clusterIPs', [], 'failed to allocate a serviceIP: range is full'),
    ]);
  }

  releaseServiceIP(ip: string): void {
    this.usedIPs.delete(ipToInt(ip));
  }

  allocateNodePort(requested?: number): number {
    const { min, max } = NODE_PORT_RANGE;
    if (requested !== undefined) {
      if (requested < min || requested > max) {
        throw new AllocationError([
          invalidValue(
            'spec.ports[0].nodePort',
            requested,
            `provided port is not in the valid range. The range of valid ports is ${min}-${max}`,
          ),
        ]);
      }
      if (this.usedPorts.has(requested)) {
        throw new AllocationError([
          invalidValue('spec.ports[0].nodePort', requested, 'provided port is already allocated'),
        ]);
      }
      this.usedPorts.add(requested);
      return requested;
    }
    const span = max - min + 1;
    const start = Math.floor(Math.random() * span);
    for (let i = 0; i < span; i++) {
      const port = min + ((start + i) % span);
      if (!this.usedPorts.has(port)) {
        this.usedPorts.add(port);
        return port;
      }
    }
    throw new AllocationError([invalidValue('spec.ports[0].nodePort', 0, 'range is full')]);
  }

  releaseNodePort(port: number): void {
    this.usedPorts.delete(port);
  }

  /** The kubernetes Service's IP (first of the range), taken explicitly at bootstrap. */
  get kubernetesServiceIP(): string {
    return intToIp(this.base + 1);
  }

  claimKubernetesIP(): void {
    this.usedIPs.add(this.base + 1);
  }
}
