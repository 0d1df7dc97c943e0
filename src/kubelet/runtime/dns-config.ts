// A pod's resolver configuration (the CRI sandbox's DNSConfig, which containerd writes as the
// pod's /etc/resolv.conf), as upstream's kubelet computes it (pkg/kubelet/network/dns):
//   ClusterFirst (not hostNetwork), ClusterFirstWithHostNet: the cluster DNS, searches
//     <ns>.svc.<domain> svc.<domain> <domain> then the host's, options ndots:5;
//   Default (and ClusterFirst with hostNetwork): the node's resolv.conf;
//   None: nothing but the pod's dnsConfig.
// A pod's dnsConfig is appended (servers and searches deduplicated, options merged by name),
// and searches are cut to upstream's limits (32 entries, 2048 characters).
import { readFileSync } from 'node:fs';
import type { PodSandboxConfig } from '../../cri/types.js';

type DNSConfig = NonNullable<PodSandboxConfig['dns_config']>;

export interface HostResolvConf {
  servers: string[];
  searches: string[];
  options: string[];
}

export interface PodDnsSpec {
  namespace: string;
  hostNetwork?: boolean;
  dnsPolicy?: string;
  dnsConfig?: { nameservers?: string[]; searches?: string[]; options?: { name: string; value?: string }[] };
}

const MAX_SEARCHES = 32;
const MAX_SEARCH_CHARS = 2048;

/** resolv.conf(5): nameserver, search (domain counts as a one-entry search), options. */
export function parseResolvConf(text: string): HostResolvConf {
  const out: HostResolvConf = { servers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const fields = raw
      .replace(/[#;].*$/, '')
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    const [key, ...rest] = fields;
    if (key === 'nameserver' && rest[0]) out.servers.push(rest[0]);
    else if (key === 'search' || key === 'domain') out.searches = rest.map((s) => s.replace(/\.$/, ''));
    else if (key === 'options') out.options.push(...rest);
  }
  return out;
}

export function readHostResolvConf(path: string): HostResolvConf {
  try {
    return parseResolvConf(readFileSync(path, 'utf8'));
  } catch {
    return { servers: [], searches: [], options: [] }; // --resolv-conf="" or no file: nothing inherited
  }
}

function isLoopback(server: string): boolean {
  return server.startsWith('127.') || server === '::1';
}

/**
 * The node resolver pods inherit, chosen as k3s chooses the kubelet's --resolv-conf: a pod
 * cannot reach the node's loopback, so when /etc/resolv.conf names only loopback servers
 * (systemd-resolved's 127.0.0.53), systemd-resolved's upstream list is used instead, and
 * without one, 8.8.8.8 (k3s writes that into a resolv.conf of its own).
 */
export function nodeResolvConf(
  paths = { etc: '/etc/resolv.conf', systemd: '/run/systemd/resolve/resolv.conf' },
): HostResolvConf {
  const etc = readHostResolvConf(paths.etc);
  if (etc.servers.length === 0 || etc.servers.some((s) => !isLoopback(s))) return etc;
  const systemd = readHostResolvConf(paths.systemd);
  if (systemd.servers.some((s) => !isLoopback(s))) return systemd;
  return { ...etc, servers: ['8.8.8.8'] };
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

function optionName(o: string): string {
  const i = o.indexOf(':');
  return i < 0 ? o : o.slice(0, i);
}

/** Options merged by name, later ones winning (the pod's dnsConfig over the defaults). */
function mergeOptions(base: string[], extra: string[]): string[] {
  const byName = new Map<string, string>();
  for (const o of [...base, ...extra]) byName.set(optionName(o), o);
  return [...byName.values()];
}

function limitSearches(searches: string[]): string[] {
  const out: string[] = [];
  let chars = 0;
  for (const s of searches) {
    if (out.length === MAX_SEARCHES || chars + s.length + (out.length ? 1 : 0) > MAX_SEARCH_CHARS) break;
    chars += s.length + (out.length ? 1 : 0);
    out.push(s);
  }
  return out;
}

export type PodDnsType = 'cluster' | 'host' | 'none';

/** Upstream's getPodDNSType; ClusterFirst without a cluster DNS falls back to the host's. */
export function podDnsType(pod: PodDnsSpec, clusterDNS: string[]): PodDnsType {
  const policy = pod.dnsPolicy ?? 'ClusterFirst';
  let t: PodDnsType;
  if (policy === 'None') t = 'none';
  else if (policy === 'ClusterFirstWithHostNet') t = 'cluster';
  else if (policy === 'ClusterFirst') t = pod.hostNetwork ? 'host' : 'cluster';
  else t = 'host';
  return t === 'cluster' && clusterDNS.length === 0 ? 'host' : t;
}

export function podDnsConfig(
  pod: PodDnsSpec,
  o: { clusterDNS: string[]; clusterDomain: string; host: HostResolvConf },
): DNSConfig {
  let cfg: { servers: string[]; searches: string[]; options: string[] };
  switch (podDnsType(pod, o.clusterDNS)) {
    case 'cluster': {
      const d = o.clusterDomain;
      cfg = {
        servers: [...o.clusterDNS],
        searches: [`${pod.namespace}.svc.${d}`, `svc.${d}`, d, ...o.host.searches],
        options: ['ndots:5'],
      };
      break;
    }
    case 'host':
      cfg = { servers: [...o.host.servers], searches: [...o.host.searches], options: [...o.host.options] };
      break;
    default:
      cfg = { servers: [], searches: [], options: [] };
  }
  const extra = pod.dnsConfig;
  if (extra) {
    cfg.servers = unique([...cfg.servers, ...(extra.nameservers ?? [])]);
    cfg.searches = [...cfg.searches, ...(extra.searches ?? [])];
    cfg.options = mergeOptions(
      cfg.options,
      (extra.options ?? []).map((x) => (x.value !== undefined ? `${x.name}:${x.value}` : x.name)),
    );
  }
  return { servers: cfg.servers, searches: limitSearches(unique(cfg.searches)), options: cfg.options };
}
