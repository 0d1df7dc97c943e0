// Pod IPs from a node's podCIDR (what the host-local IPAM plugin does for a real node): the
// network address, the gateway (.1, the bridge) and the broadcast address are never handed
// out; addresses go round-robin, as host-local hands them out.
export class PodIPs {
  private readonly base: number;
  private readonly size: number;
  private readonly byUID = new Map<string, number>();
  private readonly used = new Set<number>();
  private next = 2;

  constructor(readonly cidr: string) {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
    if (!m) throw new Error(`pod CIDR "${cidr}" is not an IPv4 CIDR`);
    const bits = Number(m[5]);
    const addr = ((+m[1] << 24) | (+m[2] << 16) | (+m[3] << 8) | +m[4]) >>> 0;
    this.size = 2 ** (32 - bits);
    this.base = bits === 0 ? 0 : (addr & ~(this.size - 1)) >>> 0;
  }

  /** The pod's IP (the same one on every call for one uid). */
  allocate(uid: string): string {
    const have = this.byUID.get(uid);
    if (have !== undefined) return this.text(have);
    // the last address is the broadcast address
    for (let tries = 0; tries < this.size; tries++) {
      const off = this.next;
      this.next = this.next + 1 >= this.size - 1 ? 2 : this.next + 1;
      if (this.used.has(off)) continue;
      this.used.add(off);
      this.byUID.set(uid, off);
      return this.text(off);
    }
    throw new Error(`no free IP in pod CIDR ${this.cidr}`);
  }

  release(uid: string): void {
    const off = this.byUID.get(uid);
    if (off === undefined) return;
    this.byUID.delete(uid);
    this.used.delete(off);
  }

  private text(off: number): string {
    const a = (this.base + off) >>> 0;
    return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
  }
}
