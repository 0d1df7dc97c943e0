// The iptables-restore input of one sync, rule for rule as upstream's iptables proxier
// writes it (pkg/proxy/iptables/proxier.go, v1.31): the filter table's REJECT/DROP rules for
// services without (local) endpoints, and the nat table's KUBE-SERVICES → KUBE-SVC/SVL/EXT/FW
// → KUBE-SEP chains with random load balancing, ClientIP affinity, masquerading and node ports.
import { CHAIN, clusterChain, endpointChain, externalChain, firewallChain, localChain } from './chains.js';
import { categorize, externallyAccessible, type Endpoint, type ServicePort } from './model.js';

export interface RuleOptions {
  nodeName: string;
  family: 'IPv4' | 'IPv6';
  /** The pod network: traffic from outside it to a ClusterIP is masqueraded (local detector by CIDR). */
  clusterCIDR?: string;
  masqueradeAll?: boolean;
  /** 1 << --iptables-masquerade-bit (14), as upstream formats it: 0x00004000. */
  masqueradeMark?: string;
  /** --iptables-localhost-nodeports (default true for IPv4) */
  localhostNodePorts?: boolean;
  /** false unless nf_conntrack_tcp_be_liberal is set on the host */
  conntrackTCPLiberal?: boolean;
  /** iptables supports MASQUERADE --random-fully */
  randomFully?: boolean;
}

export const DEFAULT_MASQUERADE_MARK = '0x00004000';

/** More than this many endpoints drops the per-endpoint comments (upstream's largeClusterMode). */
const LARGE_CLUSTER_ENDPOINTS = 1000;

export interface Ruleset {
  /** The restore input; `stale` service chains are flushed and deleted in the same restore. */
  render(stale?: string[]): string;
  /** NAT chains this sync uses (others with service prefixes are stale). */
  natChains: Set<string>;
  filterRules: number;
  natRules: number;
}

const probabilities: string[] = [];
/** 1/n with ten decimals, as upstream's %0.10f. */
function probability(n: number): string {
  return (probabilities[n] ??= (1 / n).toFixed(10));
}

export function buildRules(
  ports: ServicePort[],
  endpoints: Map<string, Endpoint[]>,
  opts: RuleOptions,
): Ruleset {
  const mark = opts.masqueradeMark ?? DEFAULT_MASQUERADE_MARK;
  const v6 = opts.family === 'IPv6';
  const localhostNodePorts = !v6 && (opts.localhostNodePorts ?? true);
  const filterChains: string[] = [];
  const filterRules: string[] = [];
  const natChains: string[] = [];
  const natRules: string[] = [];
  const active = new Set<string>();
  const chain = (list: string[], name: string) => list.push(`:${name} - [0:0]`);
  const rule = (list: string[], ...args: (string | number)[]) => list.push(args.join(' '));
  const q = (s: string) => `"${s}"`;
  const ifLocal = opts.clusterCIDR ? ['-s', opts.clusterCIDR] : undefined;
  const ifNotLocal = opts.clusterCIDR ? ['!', '-s', opts.clusterCIDR] : undefined;

  for (const c of [
    CHAIN.services,
    CHAIN.externalServices,
    CHAIN.forward,
    CHAIN.nodePorts,
    CHAIN.proxyFirewall,
  ])
    chain(filterChains, c);
  for (const c of [CHAIN.services, CHAIN.nodePorts, CHAIN.postrouting, CHAIN.markMasq]) chain(natChains, c);
  rule(natRules, '-A', CHAIN.postrouting, '-m', 'mark', '!', '--mark', `${mark}/${mark}`, '-j', 'RETURN');
  rule(natRules, '-A', CHAIN.postrouting, '-j', 'MARK', '--xor-mark', mark);
  rule(
    natRules,
    '-A',
    CHAIN.postrouting,
    '-m comment --comment',
    q('kubernetes service traffic requiring SNAT'),
    '-j MASQUERADE',
    ...(opts.randomFully ? ['--random-fully'] : []),
  );
  rule(natRules, '-A', CHAIN.markMasq, '-j', 'MARK', '--or-mark', mark);
  if (localhostNodePorts) {
    chain(filterChains, CHAIN.kubeletFirewall);
    rule(
      filterRules,
      '-A',
      CHAIN.kubeletFirewall,
      '-m comment --comment',
      q('block incoming localnet connections'),
      '-d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    );
  }

  let total = 0;
  for (const sp of ports) total += (endpoints.get(`${sp.name}/${sp.protocol}`) ?? []).length;
  const largeCluster = total > LARGE_CLUSTER_ENDPOINTS;
  const comment = (text: string) => (largeCluster ? [] : ['-m comment --comment', text]);

  for (const sp of ports) {
    const proto = sp.protocol;
    const name = sp.name;
    const { cluster, local, reachable, hasAny } = categorize(
      endpoints.get(`${name}/${proto}`) ?? [],
      sp,
      opts.nodeName,
    );
    const svcChain = clusterChain(name, proto);
    const svlChain = localChain(name, proto);
    const extChain = externalChain(name, proto);
    const fwChain = firewallChain(name, proto);
    const usesCluster =
      cluster.length > 0 &&
      (!sp.internalPolicyLocal || (externallyAccessible(sp) && !sp.externalPolicyLocal));
    const usesLocal =
      local.length > 0 && (sp.internalPolicyLocal || (externallyAccessible(sp) && sp.externalPolicyLocal));
    const internalChain = sp.internalPolicyLocal ? svlChain : svcChain;
    const hasInternal = hasAny && (!sp.internalPolicyLocal || local.length > 0);
    const externalPolicyChain = sp.externalPolicyLocal ? svlChain : svcChain;
    const hasExternal = hasAny && (!sp.externalPolicyLocal || local.length > 0);
    const usesExt = hasAny && externallyAccessible(sp);
    const usesFW = hasAny && sp.loadBalancerIPs.length > 0 && sp.loadBalancerSourceRanges.length > 0;
    const lbTarget = usesFW ? fwChain : extChain;

    let internalTarget = '';
    let internalComment = '';
    let externalTarget = '';
    let externalComment = '';
    if (!hasAny) {
      internalTarget = externalTarget = 'REJECT';
      internalComment = externalComment = q(`${name} has no endpoints`);
    } else {
      if (!hasInternal) [internalTarget, internalComment] = ['DROP', q(`${name} has no local endpoints`)];
      if (!hasExternal) [externalTarget, externalComment] = ['DROP', q(`${name} has no local endpoints`)];
    }
    const match = (ip: string, port: number) => ['-m', proto, '-p', proto, '-d', ip, '--dport', port];
    /** `-A chain -m comment --comment C -m proto -p proto -d IP --dport PORT -j target` */
    const portal = (list: string[], chain: string, comment: string, ip: string, target: string) =>
      rule(list, '-A', chain, '-m comment --comment', comment, ...match(ip, sp.port), '-j', target);

    for (const ip of sp.clusterIPs) {
      if (hasInternal) portal(natRules, CHAIN.services, q(`${name} cluster IP`), ip, internalChain);
      else portal(filterRules, CHAIN.services, internalComment, ip, internalTarget);
    }
    for (const ip of sp.externalIPs) {
      if (hasAny) portal(natRules, CHAIN.services, q(`${name} external IP`), ip, extChain);
      if (!hasExternal) portal(filterRules, CHAIN.externalServices, externalComment, ip, externalTarget);
    }
    for (const ip of sp.loadBalancerIPs) {
      if (hasAny) portal(natRules, CHAIN.services, q(`${name} loadbalancer IP`), ip, lbTarget);
      if (usesFW)
        rule(
          filterRules,
          '-A',
          CHAIN.proxyFirewall,
          '-m comment --comment',
          q(`${name} traffic not accepted by ${fwChain}`),
          ...match(ip, sp.port),
          '-j DROP',
        );
    }
    if (!hasExternal)
      for (const ip of sp.loadBalancerIPs)
        portal(filterRules, CHAIN.externalServices, externalComment, ip, externalTarget);
    if (sp.nodePort) {
      if (hasAny)
        rule(
          natRules,
          '-A',
          CHAIN.nodePorts,
          '-m comment --comment',
          name,
          '-m',
          proto,
          '-p',
          proto,
          '--dport',
          sp.nodePort,
          '-j',
          extChain,
        );
      if (!hasExternal)
        rule(
          filterRules,
          '-A',
          CHAIN.externalServices,
          '-m comment --comment',
          externalComment,
          '-m addrtype --dst-type LOCAL',
          '-m',
          proto,
          '-p',
          proto,
          '--dport',
          sp.nodePort,
          '-j',
          externalTarget,
        );
    }
    if (sp.healthCheckNodePort)
      rule(
        filterRules,
        '-A',
        CHAIN.nodePorts,
        '-m comment --comment',
        q(`${name} health check node port`),
        '-m tcp -p tcp --dport',
        sp.healthCheckNodePort,
        '-j ACCEPT',
      );

    if (hasInternal) {
      for (const ip of sp.clusterIPs) {
        const args = ['-m comment --comment', q(`${name} cluster IP`), ...match(ip, sp.port)];
        if (opts.masqueradeAll) rule(natRules, '-A', internalChain, ...args, '-j', CHAIN.markMasq);
        else if (ifNotLocal)
          rule(natRules, '-A', internalChain, ...args, ...ifNotLocal, '-j', CHAIN.markMasq);
      }
    }
    if (usesExt) {
      chain(natChains, extChain);
      active.add(extChain);
      if (!sp.externalPolicyLocal) {
        rule(
          natRules,
          '-A',
          extChain,
          '-m comment --comment',
          q(`masquerade traffic for ${name} external destinations`),
          '-j',
          CHAIN.markMasq,
        );
      } else {
        if (ifLocal)
          rule(
            natRules,
            '-A',
            extChain,
            '-m comment --comment',
            q(`pod traffic for ${name} external destinations`),
            ...ifLocal,
            '-j',
            svcChain,
          );
        rule(
          natRules,
          '-A',
          extChain,
          '-m comment --comment',
          q(`masquerade LOCAL traffic for ${name} external destinations`),
          '-m addrtype --src-type LOCAL -j',
          CHAIN.markMasq,
        );
        rule(
          natRules,
          '-A',
          extChain,
          '-m comment --comment',
          q(`route LOCAL traffic for ${name} external destinations`),
          '-m addrtype --src-type LOCAL -j',
          svcChain,
        );
      }
      if (hasExternal) rule(natRules, '-A', extChain, '-j', externalPolicyChain);
    }
    if (usesFW) {
      chain(natChains, fwChain);
      active.add(fwChain);
      const head = ['-A', fwChain, '-m comment --comment', q(`${name} loadbalancer IP`)];
      for (const cidr of sp.loadBalancerSourceRanges) rule(natRules, ...head, '-s', cidr, '-j', extChain);
      rule(
        natRules,
        '-A',
        fwChain,
        '-m comment --comment',
        q(`other traffic to ${name} will be dropped by KUBE-PROXY-FIREWALL`),
      );
    }
    const toEndpoints = (from: string, eps: Endpoint[]) => {
      if (sp.sessionAffinityClientIP) {
        for (const e of eps) {
          const sep = endpointChain(name, proto, hostPort(e));
          rule(
            natRules,
            '-A',
            from,
            ...comment(q(`${name} -> ${hostPort(e)}`)),
            '-m recent --name',
            sep,
            '--rcheck --seconds',
            sp.stickyMaxAgeSeconds,
            '--reap -j',
            sep,
          );
        }
      }
      eps.forEach((e, i) => {
        const sep = endpointChain(name, proto, hostPort(e));
        const stat =
          i < eps.length - 1 ? ['-m statistic --mode random --probability', probability(eps.length - i)] : [];
        rule(natRules, '-A', from, ...comment(q(`${name} -> ${hostPort(e)}`)), ...stat, '-j', sep);
      });
    };
    if (usesCluster) {
      chain(natChains, svcChain);
      active.add(svcChain);
      toEndpoints(svcChain, cluster);
    }
    if (usesLocal) {
      chain(natChains, svlChain);
      active.add(svlChain);
      toEndpoints(svlChain, local);
    }
    for (const e of reachable) {
      const sep = endpointChain(name, proto, hostPort(e));
      chain(natChains, sep);
      active.add(sep);
      const head = ['-A', sep, ...comment(name)];
      rule(natRules, ...head, '-s', e.ip, '-j', CHAIN.markMasq);
      const affinity = sp.sessionAffinityClientIP ? ['-m recent --name', sep, '--set'] : [];
      rule(natRules, ...head, ...affinity, '-m', proto, '-p', proto, '-j DNAT --to-destination', hostPort(e));
    }
  }

  const dst = [
    '-m addrtype --dst-type LOCAL',
    ...(v6 ? ['! -d ::1/128'] : localhostNodePorts ? [] : ['! -d 127.0.0.0/8']),
  ];
  rule(
    natRules,
    '-A',
    CHAIN.services,
    '-m comment --comment',
    q('kubernetes service nodeports; NOTE: this must be the last rule in this chain'),
    ...dst,
    '-j',
    CHAIN.nodePorts,
  );
  if (!opts.conntrackTCPLiberal)
    rule(filterRules, '-A', CHAIN.forward, '-m conntrack --ctstate INVALID -j DROP');
  rule(
    filterRules,
    '-A',
    CHAIN.forward,
    '-m comment --comment',
    q('kubernetes forwarding rules'),
    '-m mark --mark',
    `${mark}/${mark}`,
    '-j ACCEPT',
  );
  rule(
    filterRules,
    '-A',
    CHAIN.forward,
    '-m comment --comment',
    q('kubernetes forwarding conntrack rule'),
    '-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  );

  const render = (stale: string[] = []) =>
    [
      '*filter',
      ...filterChains,
      ...filterRules,
      'COMMIT',
      '*nat',
      ...natChains,
      ...stale.map((c) => `:${c} - [0:0]`),
      ...natRules,
      ...stale.map((c) => `-X ${c}`),
      'COMMIT',
      '',
    ].join('\n');
  return { render, natChains: active, filterRules: filterRules.length, natRules: natRules.length };
}

/** "ip:port", with brackets for IPv6 (net.JoinHostPort). */
export function hostPort(e: { ip: string; port: number }): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

/** The jump rules from the built-in chains into ours (ensured with iptables -C / -I, not restored). */
export const JUMP_RULES: {
  table: 'filter' | 'nat';
  from: string;
  to: string;
  comment: string;
  extra: string[];
}[] = [
  {
    table: 'filter',
    to: CHAIN.externalServices,
    from: 'INPUT',
    comment: 'kubernetes externally-visible service portals',
    extra: ['-m', 'conntrack', '--ctstate', 'NEW'],
  },
  {
    table: 'filter',
    to: CHAIN.externalServices,
    from: 'FORWARD',
    comment: 'kubernetes externally-visible service portals',
    extra: ['-m', 'conntrack', '--ctstate', 'NEW'],
  },
  {
    table: 'filter',
    to: CHAIN.nodePorts,
    from: 'INPUT',
    comment: 'kubernetes health check service ports',
    extra: [],
  },
  {
    table: 'filter',
    to: CHAIN.services,
    from: 'FORWARD',
    comment: 'kubernetes service portals',
    extra: ['-m', 'conntrack', '--ctstate', 'NEW'],
  },
  {
    table: 'filter',
    to: CHAIN.services,
    from: 'OUTPUT',
    comment: 'kubernetes service portals',
    extra: ['-m', 'conntrack', '--ctstate', 'NEW'],
  },
  { table: 'filter', to: CHAIN.forward, from: 'FORWARD', comment: 'kubernetes forwarding rules', extra: [] },
  {
    table: 'filter',
    to: CHAIN.proxyFirewall,
    from: 'INPUT',
    comment: 'kubernetes load balancer firewall',
    extra: ['-m', 'conntrack', '--ctstate', 'NEW'],
  },
  {
    table: 'filter',
    to: CHAIN.proxyFirewall,
    from: 'OUTPUT',
    comment: 'kubernetes load balancer firewall',
    extra: ['-m', 'conntrack', '--ctstate', 'NEW'],
  },
  {
    table: 'filter',
    to: CHAIN.proxyFirewall,
    from: 'FORWARD',
    comment: 'kubernetes load balancer firewall',
    extra: ['-m', 'conntrack', '--ctstate', 'NEW'],
  },
  { table: 'nat', to: CHAIN.services, from: 'OUTPUT', comment: 'kubernetes service portals', extra: [] },
  { table: 'nat', to: CHAIN.services, from: 'PREROUTING', comment: 'kubernetes service portals', extra: [] },
  {
    table: 'nat',
    to: CHAIN.postrouting,
    from: 'POSTROUTING',
    comment: 'kubernetes postrouting rules',
    extra: [],
  },
  { table: 'filter', to: CHAIN.kubeletFirewall, from: 'INPUT', comment: '', extra: [] },
  { table: 'filter', to: CHAIN.kubeletFirewall, from: 'OUTPUT', comment: '', extra: [] },
];
