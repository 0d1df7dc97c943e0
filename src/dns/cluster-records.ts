// The cluster's names, answered from informer caches as CoreDNS's kubernetes plugin answers
// them (the DNS specification of kubernetes/dns, docs/specification.md):
//   <svc>.<ns>.svc.<zone>                 A/AAAA: the ClusterIPs; headless: each ready endpoint
//   <hostname>.<svc>.<ns>.svc.<zone>      A/AAAA of one endpoint of a headless service
//   _<port>._<proto>.<svc>.<ns>.svc.<zone> SRV per named port (headless: per endpoint)
//   <a-b-c-d>.<ns>.pod.<zone>             A (pods insecure: any dashed IP; verified: a pod's IP)
//   <reversed ip>.in-addr.arpa / ip6.arpa PTR of service IPs and named headless endpoints
//   ExternalName services                 CNAME
import type { KubeObject } from '../api/types.js';
import type { Informer } from '../client/informer.js';
import { ipv6ToString, TYPE, type RecordData, type ResourceRecord } from './wire.js';

export type PodsMode = 'insecure' | 'verified' | 'disabled';

export interface ClusterSources {
  services: Informer;
  endpointSlices: Informer;
  namespaces: Informer;
  pods?: Informer;
}

export interface Answer {
  /** true: the name does not exist at all (NXDOMAIN); false with no records: NODATA. */
  nxdomain: boolean;
  answers: ResourceRecord[];
  additional: ResourceRecord[];
}

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  externalName?: string;
  publishNotReadyAddresses?: boolean;
  ports?: { name?: string; port: number; protocol?: string }[];
}

interface SliceEndpoint {
  addresses: string[];
  conditions?: { ready?: boolean };
  hostname?: string;
}

interface Slice extends KubeObject {
  addressType?: string;
  endpoints?: SliceEndpoint[];
  ports?: { name?: string; port?: number; protocol?: string }[];
}

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

const specOf = (svc: KubeObject) => (svc.spec ?? {}) as ServiceSpec;
const isV6 = (ip: string) => ip.includes(':');
const dashed = (ip: string) => (isV6(ip) ? ip.replace(/:/g, '-') : ip.replace(/\./g, '-'));

export class ClusterRecords {
  constructor(
    private readonly src: ClusterSources,
    private readonly opts: { zone: string; ttl: number; pods: PodsMode },
  ) {
    src.services.addIndex('ip', (s) => {
      const sp = specOf(s);
      return sp.clusterIP === 'None' ? [] : (sp.clusterIPs ?? (sp.clusterIP ? [sp.clusterIP] : []));
    });
    src.endpointSlices.addIndex('service', (s) => {
      const name = s.metadata.labels?.[SERVICE_NAME_LABEL];
      return name ? [`${s.metadata.namespace}/${name}`] : [];
    });
    src.endpointSlices.addIndex('address', (s) =>
      ((s as Slice).endpoints ?? []).flatMap((e) => (e.hostname ? e.addresses : [])),
    );
    src.pods?.addIndex('ip', (p) => {
      const st = p.status as { podIPs?: { ip: string }[]; podIP?: string } | undefined;
      return st?.podIPs?.map((x) => x.ip) ?? (st?.podIP ? [st.podIP] : []);
    });
  }

  private rr(name: string, data: RecordData): ResourceRecord {
    const type = TYPE[data.kind as keyof typeof TYPE] ?? 0;
    return { name, type, class: 1, ttl: this.opts.ttl, data };
  }

  private addressRecord(name: string, ip: string): ResourceRecord {
    return this.rr(name, isV6(ip) ? { kind: 'AAAA', address: ip } : { kind: 'A', address: ip });
  }

  /** The ready (or, with publishNotReadyAddresses, all) endpoints of a service. */
  private endpointsOf(
    ns: string,
    svc: string,
    publishNotReady: boolean,
  ): { ip: string; hostname?: string }[] {
    const out: { ip: string; hostname?: string }[] = [];
    const seen = new Set<string>();
    for (const slice of this.src.endpointSlices.byIndex('service', `${ns}/${svc}`) as Slice[]) {
      for (const e of slice.endpoints ?? []) {
        if (!publishNotReady && e.conditions?.ready === false) continue;
        for (const ip of e.addresses) {
          if (seen.has(ip)) continue;
          seen.add(ip);
          out.push(e.hostname ? { ip, hostname: e.hostname } : { ip });
        }
      }
    }
    return out;
  }

  private portsOf(ns: string, svc: KubeObject): { name: string; port: number; protocol: string }[] {
    const sp = specOf(svc);
    if (sp.clusterIP !== 'None')
      return (sp.ports ?? []).map((p) => ({
        name: p.name ?? '',
        port: p.port,
        protocol: p.protocol ?? 'TCP',
      }));
    // headless: the endpoints' ports are the ones served
    const out = new Map<string, { name: string; port: number; protocol: string }>();
    for (const slice of this.src.endpointSlices.byIndex('service', `${ns}/${svc.metadata.name}`) as Slice[]) {
      for (const p of slice.ports ?? []) {
        if (p.port === undefined) continue;
        const v = { name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' };
        out.set(`${v.name}/${v.protocol}/${v.port}`, v);
      }
    }
    return [...out.values()];
  }

  /** Answers a question whose name is inside the zone (`name` without the zone suffix in `rel`). */
  resolve(name: string, type: number): Answer {
    const zone = this.opts.zone;
    const rel = name === zone ? '' : name.slice(0, -(zone.length + 1));
    const labels = rel === '' ? [] : rel.split('.');
    const none = (nxdomain: boolean): Answer => ({ nxdomain, answers: [], additional: [] });
    const last = labels[labels.length - 1];
    if (labels.length === 0) return none(false);
    if (labels.length === 1 && labels[0] === 'dns-version')
      return type === TYPE.TXT || type === TYPE.ANY
        ? { nxdomain: false, answers: [this.rr(name, { kind: 'TXT', texts: ['1.1.0'] })], additional: [] }
        : none(false);
    if (last === 'svc') return this.resolveService(name, labels.slice(0, -1), type);
    if (last === 'pod') return this.resolvePod(name, labels.slice(0, -1), type);
    return none(true);
  }

  private namespaceExists(ns: string): boolean {
    return this.src.namespaces.get(ns) !== undefined;
  }

  private resolveService(name: string, labels: string[], type: number): Answer {
    const none = (nxdomain: boolean): Answer => ({ nxdomain, answers: [], additional: [] });
    if (labels.length === 0) return none(false); // svc.<zone> itself
    const ns = labels[labels.length - 1];
    if (labels.length === 1) return none(!this.namespaceExists(ns));
    const svcName = labels[labels.length - 2];
    const svc = this.src.services.get(`${ns}/${svcName}`);
    if (!svc) return none(true);
    const sp = specOf(svc);
    const headless = sp.clusterIP === 'None';
    const rest = labels.slice(0, -2);
    const want = (t: number) => type === t || type === TYPE.ANY;

    if (rest.length === 0) {
      if (sp.type === 'ExternalName') {
        if (!sp.externalName) return none(false);
        return {
          nxdomain: false,
          answers: [this.rr(name, { kind: 'CNAME', target: sp.externalName.replace(/\.$/, '') })],
          additional: [],
        };
      }
      if (want(TYPE.SRV)) return this.srv(ns, svc, undefined, undefined);
      const ips = headless
        ? this.endpointsOf(ns, svcName, !!sp.publishNotReadyAddresses).map((e) => e.ip)
        : (sp.clusterIPs ?? (sp.clusterIP ? [sp.clusterIP] : []));
      const answers = ips
        .filter((ip) => (isV6(ip) ? want(TYPE.AAAA) : want(TYPE.A)))
        .map((ip) => this.addressRecord(name, ip));
      return { nxdomain: false, answers, additional: [] };
    }
    if (rest.length === 1 && headless) {
      // <hostname or dashed ip>.<svc>.<ns>.svc.<zone>
      const eps = this.endpointsOf(ns, svcName, !!sp.publishNotReadyAddresses).filter(
        (e) => (e.hostname ?? dashed(e.ip)) === rest[0],
      );
      if (eps.length === 0) return none(true);
      const answers = eps
        .filter((e) => (isV6(e.ip) ? want(TYPE.AAAA) : want(TYPE.A)))
        .map((e) => this.addressRecord(name, e.ip));
      return { nxdomain: false, answers, additional: [] };
    }
    if (rest.length === 2 && rest[0].startsWith('_') && rest[1].startsWith('_')) {
      const ans = this.srv(ns, svc, rest[0].slice(1), rest[1].slice(1));
      if (ans.answers.length === 0) return none(true);
      if (!want(TYPE.SRV)) return none(false);
      return ans;
    }
    return none(true);
  }

  /** SRV records of a service, for one named port/protocol or (undefined) every port. */
  private srv(ns: string, svc: KubeObject, port: string | undefined, proto: string | undefined): Answer {
    const sp = specOf(svc);
    const svcName = svc.metadata.name!;
    const svcFqdn = `${svcName}.${ns}.svc.${this.opts.zone}`;
    const ports = this.portsOf(ns, svc).filter(
      (p) =>
        (port === undefined || port === '*' || p.name.toLowerCase() === port) &&
        (proto === undefined || proto === '*' || p.protocol.toLowerCase() === proto),
    );
    const answers: ResourceRecord[] = [];
    const additional: ResourceRecord[] = [];
    const owner = port === undefined ? svcFqdn : `_${port}._${proto}.${svcFqdn}`;
    if (sp.clusterIP !== 'None') {
      const ips = sp.clusterIPs ?? (sp.clusterIP ? [sp.clusterIP] : []);
      for (const p of ports) {
        answers.push(
          this.rr(owner, { kind: 'SRV', priority: 0, weight: 100, port: p.port, target: svcFqdn }),
        );
      }
      if (answers.length) for (const ip of ips) additional.push(this.addressRecord(svcFqdn, ip));
      return { nxdomain: false, answers, additional };
    }
    const eps = this.endpointsOf(ns, svcName, !!sp.publishNotReadyAddresses);
    const weight = eps.length ? Math.floor(100 / eps.length) || 1 : 100;
    for (const p of ports) {
      for (const e of eps) {
        const target = `${e.hostname ?? dashed(e.ip)}.${svcFqdn}`;
        answers.push(this.rr(owner, { kind: 'SRV', priority: 0, weight, port: p.port, target }));
        additional.push(this.addressRecord(target, e.ip));
      }
    }
    return { nxdomain: false, answers, additional };
  }

  private resolvePod(name: string, labels: string[], type: number): Answer {
    const none = (nxdomain: boolean): Answer => ({ nxdomain, answers: [], additional: [] });
    if (labels.length === 0) return none(false); // pod.<zone> itself
    if (labels.length === 1) return none(!this.namespaceExists(labels[0]));
    if (this.opts.pods === 'disabled' || labels.length !== 2) return none(true);
    const [ipLabel, ns] = labels;
    const ip =
      ipLabel.includes('-') && ipLabel.split('-').length === 4
        ? ipLabel.replace(/-/g, '.')
        : ipLabel.replace(/-/g, ':');
    const valid = isV6(ip)
      ? /^[0-9a-f:]+$/.test(ip)
      : /^(\d{1,3})(\.\d{1,3}){3}$/.test(ip) && ip.split('.').every((o) => Number(o) < 256);
    if (!valid) return none(true);
    if (this.opts.pods === 'verified') {
      const pods = this.src.pods?.byIndex('ip', ip) ?? [];
      if (!pods.some((p) => p.metadata.namespace === ns)) return none(true);
    }
    const rrType = isV6(ip) ? TYPE.AAAA : TYPE.A;
    if (type !== rrType && type !== TYPE.ANY) return none(false);
    return { nxdomain: false, answers: [this.addressRecord(name, ip)], additional: [] };
  }

  /** PTR for an IP (undefined when the cluster does not know it). */
  reverse(name: string, ip: string): ResourceRecord[] | undefined {
    const zone = this.opts.zone;
    const svc = this.src.services.byIndex('ip', ip)[0];
    if (svc)
      return [
        this.rr(name, { kind: 'PTR', target: `${svc.metadata.name}.${svc.metadata.namespace}.svc.${zone}` }),
      ];
    for (const slice of this.src.endpointSlices.byIndex('address', ip) as Slice[]) {
      const svcName = slice.metadata.labels?.[SERVICE_NAME_LABEL];
      const e = (slice.endpoints ?? []).find((x) => x.hostname && x.addresses.includes(ip));
      if (svcName && e)
        return [
          this.rr(name, {
            kind: 'PTR',
            target: `${e.hostname}.${svcName}.${slice.metadata.namespace}.svc.${zone}`,
          }),
        ];
    }
    return undefined;
  }
}

/** The IP of a reverse name (`4.3.2.1.in-addr.arpa`, nibbles `.ip6.arpa`), or undefined. */
export function reverseNameToIP(name: string): string | undefined {
  if (name.endsWith('.in-addr.arpa')) {
    const parts = name.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) < 256)) return undefined;
    return parts.reverse().join('.');
  }
  if (name.endsWith('.ip6.arpa')) {
    const nibbles = name.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32 || !nibbles.every((n) => /^[0-9a-f]$/.test(n))) return undefined;
    const hex = nibbles.reverse().join('');
    // canonical form (RFC 5952), as services store it
    return ipv6ToString(Buffer.from(hex, 'hex'));
  }
  return undefined;
}
