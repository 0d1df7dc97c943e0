// The subset of CoreDNS's Corefile (the `coredns` ConfigMap in kube-system, seed 004 §3.7)
// that the cluster DNS honours: server blocks by zone, and in them `hosts` (file, inline
// lines, ttl, no_reverse, fallthrough), `kubernetes` (zones,
// pods insecure|verified|disabled, ttl, fallthrough), `forward` (to addresses or
// /etc/resolv.conf), `cache` and `loadbalance`. Other plugins (errors, health, ready,
// prometheus, loop, reload, log) are accepted: their job is done by the server itself.
import { isIP } from 'node:net';
import type { PodsMode } from './cluster-records.js';

export interface KubernetesPlugin {
  zones: string[];
  pods: PodsMode;
  ttl: number;
  /** Zones whose misses go on to the next plugin (forward); empty = none; ['.'] = all. */
  fallthrough: string[];
}

/** CoreDNS's hosts plugin: a hosts(5) file and/or inline lines, for its zones. */
export interface HostsPlugin {
  /** The file named in the Corefile (default /etc/hosts; '' when only inline lines matter). */
  file: string;
  /** Inline hosts(5) lines from the plugin block. */
  inline: string;
  zones: string[];
  ttl: number;
  reverse: boolean;
  fallthrough: string[];
}

export interface ServerBlock {
  /** Lower-case zones without trailing dot; '' is the root ('.'). */
  zones: string[];
  kubernetes?: KubernetesPlugin;
  hosts?: HostsPlugin;
  /** Upstream servers as host:port, or the literal '/etc/resolv.conf'-style file path. */
  forward?: { from: string; to: string[] };
  /** Seconds (0 = no cache). */
  cacheSeconds: number;
  loadbalance: boolean;
  /** HTTP listen addresses (host:port, '' host = all) of the health, ready and prometheus plugins. */
  health?: string;
  ready?: string;
  prometheus?: string;
}

export class CorefileError extends Error {}

interface Directive {
  name: string;
  args: string[];
  block: Directive[];
}

function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/#.*$/, '');
    for (const t of line.match(/\{|\}|[^\s{}]+/g) ?? []) out.push(t);
    out.push('\n');
  }
  return out;
}

function parseDirectives(tokens: string[], pos: { i: number }, nested: boolean): Directive[] {
  const out: Directive[] = [];
  let cur: Directive | undefined;
  while (pos.i < tokens.length) {
    const t = tokens[pos.i++];
    if (t === '\n') {
      cur = undefined;
      continue;
    }
    if (t === '}') {
      if (!nested) throw new CorefileError('unexpected "}"');
      return out;
    }
    if (t === '{') {
      if (!cur) throw new CorefileError('"{" without a directive');
      cur.block = parseDirectives(tokens, pos, true);
      cur = undefined;
      continue;
    }
    if (!cur) {
      cur = { name: t, args: [], block: [] };
      out.push(cur);
    } else cur.args.push(t);
  }
  if (nested) throw new CorefileError('missing "}"');
  return out;
}

function zoneOf(key: string): string {
  const z = key
    .replace(/^dns:\/\//, '')
    .replace(/:\d+$/, '')
    .toLowerCase()
    .replace(/\.$/, '');
  return z === '.' ? '' : z;
}

function parseKubernetes(d: Directive): KubernetesPlugin {
  const k: KubernetesPlugin = { zones: d.args.map(zoneOf), pods: 'disabled', ttl: 5, fallthrough: [] };
  for (const sub of d.block) {
    if (sub.name === 'pods') {
      const mode = sub.args[0];
      if (mode !== 'insecure' && mode !== 'verified' && mode !== 'disabled')
        throw new CorefileError(`kubernetes: pods: unknown mode "${mode}"`);
      k.pods = mode;
    } else if (sub.name === 'ttl') {
      const ttl = Number(sub.args[0]);
      if (!Number.isInteger(ttl) || ttl < 0 || ttl > 3600)
        throw new CorefileError(`kubernetes: ttl must be in range [0, 3600]: ${sub.args[0]}`);
      k.ttl = ttl;
    } else if (sub.name === 'fallthrough') {
      k.fallthrough = sub.args.length ? sub.args.map(zoneOf) : [''];
    }
  }
  return k;
}

function httpAddress(d: Directive, fallback: string): string {
  const addr = d.args[0] ?? fallback;
  const m = /^(\[[^\]]+\]|[^:]*):(\d+)$/.exec(addr);
  if (!m || Number(m[2]) > 65535)
    throw new CorefileError(`${d.name}: bad address "${addr}": want [host]:port`);
  return addr;
}

function parseHostsPlugin(d: Directive, blockZones: string[]): HostsPlugin {
  const h: HostsPlugin = {
    file: d.args[0] ?? '/etc/hosts',
    inline: '',
    zones: d.args.length > 1 ? d.args.slice(1).map(zoneOf) : blockZones,
    ttl: 3600,
    reverse: true,
    fallthrough: [],
  };
  const lines: string[] = [];
  for (const sub of d.block) {
    if (sub.name === 'ttl') {
      const ttl = Number(sub.args[0]);
      if (!Number.isInteger(ttl) || ttl < 0 || ttl > 65535)
        throw new CorefileError(`hosts: ttl must be in range [0, 65535]: ${sub.args[0]}`);
      h.ttl = ttl;
    } else if (sub.name === 'no_reverse') h.reverse = false;
    else if (sub.name === 'fallthrough') h.fallthrough = sub.args.length ? sub.args.map(zoneOf) : [''];
    else if (sub.name === 'reload')
      continue; // the file is read again with each ConfigMap change
    else if (isIP(sub.name.replace(/%.*$/, ''))) lines.push([sub.name, ...sub.args].join(' '));
    else throw new CorefileError(`hosts: unknown property "${sub.name}"`);
  }
  h.inline = lines.join('\n');
  return h;
}

/** Parses a Corefile into its server blocks; throws CorefileError with the reason. */
export function parseCorefile(text: string): ServerBlock[] {
  const top = parseDirectives(tokenize(text), { i: 0 }, false);
  return top.map((server) => {
    const block: ServerBlock = {
      zones: [server.name, ...server.args].map(zoneOf),
      cacheSeconds: 0,
      loadbalance: false,
    };
    for (const d of server.block) {
      switch (d.name) {
        case 'kubernetes':
          block.kubernetes = parseKubernetes(d);
          break;
        case 'hosts':
          block.hosts = parseHostsPlugin(d, block.zones);
          break;
        case 'forward': {
          if (d.args.length < 2) throw new CorefileError('forward: needs a zone and at least one server');
          block.forward = { from: zoneOf(d.args[0]), to: d.args.slice(1) };
          break;
        }
        case 'cache': {
          const secs = d.args[0] === undefined ? 3600 : Number(d.args[0]);
          if (!Number.isInteger(secs) || secs < 0) throw new CorefileError(`cache: bad TTL "${d.args[0]}"`);
          block.cacheSeconds = secs;
          break;
        }
        case 'loadbalance':
          block.loadbalance = true;
          break;
        // CoreDNS's defaults: health :8080 (/health), ready :8181 (/ready), prometheus localhost:9153
        case 'health':
          block.health = httpAddress(d, ':8080');
          break;
        case 'ready':
          block.ready = httpAddress(d, ':8181');
          break;
        case 'prometheus':
          block.prometheus = httpAddress(d, 'localhost:9153');
          break;
        default:
        // errors, loop, reload, log, ...: served by the server itself
      }
    }
    return block;
  });
}

/** k3s's default Corefile, our default when the cluster has no `coredns` ConfigMap. */
export const DEFAULT_COREFILE = `.:53 {
    errors
    health
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
      pods insecure
      fallthrough in-addr.arpa ip6.arpa
    }
    prometheus :9153
    forward . /etc/resolv.conf
    cache 30
    loop
    reload
    loadbalance
}
`;

/** True when `name` is `zone` or below it ('' is the root and holds every name). */
export function inZone(name: string, zone: string): boolean {
  return zone === '' || name === zone || name.endsWith(`.${zone}`);
}
