// CoreDNS's `hosts` plugin: answers from a hosts(5) table (a file and/or inline lines in the
// plugin block): A/AAAA for a listed name, PTR for a listed address (unless no_reverse); a
// name the table has with no record of the asked type is NODATA; a name it lacks falls
// through to the next plugin when `fallthrough` covers it, else NXDOMAIN.
import { isIP } from 'node:net';
import { reverseNameToIP } from './cluster-records.js';
import { TYPE, type ResourceRecord } from './wire.js';

export interface HostsTable {
  /** name → addresses, in file order. */
  byName: Map<string, string[]>;
  /** address → names (PTR). */
  byAddress: Map<string, string[]>;
}

export function parseHosts(text: string): HostsTable {
  const t: HostsTable = { byName: new Map(), byAddress: new Map() };
  for (const raw of text.split('\n')) {
    const [ip, ...names] = raw.replace(/#.*$/, '').trim().split(/\s+/).filter(Boolean);
    if (!ip || names.length === 0 || !isIP(ip.replace(/%.*$/, ''))) continue;
    const addr = ip.replace(/%.*$/, '');
    for (const n of names.map((x) => x.toLowerCase().replace(/\.$/, ''))) {
      const list = t.byName.get(n) ?? [];
      if (!list.includes(addr)) list.push(addr);
      t.byName.set(n, list);
      const rev = t.byAddress.get(addr) ?? [];
      if (!rev.includes(n)) rev.push(n);
      t.byAddress.set(addr, rev);
    }
  }
  return t;
}

export type HostsAnswer = { found: false } | { found: true; answers: ResourceRecord[] };

/** The table's answer for one question; found=false means the table does not know the name. */
export function lookupHosts(
  t: HostsTable,
  name: string,
  type: number,
  o: { ttl: number; reverse: boolean },
): HostsAnswer {
  if (name.endsWith('.arpa')) {
    const ip = o.reverse ? reverseNameToIP(name) : undefined;
    const names = ip ? t.byAddress.get(ip) : undefined;
    if (!names) return { found: false };
    if (type !== TYPE.PTR && type !== TYPE.ANY) return { found: true, answers: [] };
    return {
      found: true,
      answers: names.map((target) => ({
        name,
        type: TYPE.PTR,
        class: 1,
        ttl: o.ttl,
        data: { kind: 'PTR', target },
      })),
    };
  }
  const addrs = t.byName.get(name);
  if (!addrs) return { found: false };
  const answers: ResourceRecord[] = [];
  for (const a of addrs) {
    const v6 = isIP(a) === 6;
    if (type === TYPE.A && !v6)
      answers.push({ name, type: TYPE.A, class: 1, ttl: o.ttl, data: { kind: 'A', address: a } });
    if (type === TYPE.AAAA && v6)
      answers.push({ name, type: TYPE.AAAA, class: 1, ttl: o.ttl, data: { kind: 'AAAA', address: a } });
  }
  return { found: true, answers };
}
