// NetworkPolicies compiled into iptables filter chains, kube-router style: K8TS-NETPOL (jumped
// from FORWARD and INPUT) lets established traffic through and sends traffic from/to each local
// pod selected by a policy into that pod's egress (K8TS-PE-*) / ingress (K8TS-PI-*) chain. A
// pod chain RETURNs what some rule of some selecting policy admits and DROPs the rest (default
// deny); an ipBlock with `except` is a small chain that sets the "allowed" mark unless an
// exception matches. The whole table is one iptables-restore.
import { createHash } from 'node:crypto';
import type { KubeObject } from '../api/types.js';
import {
  policySpec,
  policyTypes,
  ruleAllows,
  selects,
  type Allow,
  type PortMatch,
  type World,
} from './model.js';

export const TOP_CHAIN = 'K8TS-NETPOL';
export const CHAIN_PREFIXES = ['K8TS-PI-', 'K8TS-PE-', 'K8TS-NB-'];
/** kube-proxy uses 0x4000 (masquerade) and 0x8000 (drop) */
export const ALLOW_MARK = '0x10000/0x10000';
export const JUMP_COMMENT = 'k8ts network policies';

const hash = (s: string) =>
  createHash('sha256')
    .update(s)
    .digest('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 16)
    .toUpperCase();

function portArgs(p: PortMatch | undefined): string {
  if (!p) return '';
  const proto = p.protocol.toLowerCase();
  if (p.port === undefined) return ` -p ${proto}`;
  return ` -p ${proto} -m ${proto} --dport ${p.port}${p.endPort ? `:${p.endPort}` : ''}`;
}

export interface CompiledRules {
  chains: string[];
  text: string;
  pods: number;
  rules: number;
}

/** Every local pod selected by a policy of a type gets that chain; `stale` chains are deleted. */
export function compile(
  nodeName: string,
  policies: KubeObject[],
  world: World,
  stale: string[] = [],
): CompiledRules {
  const sorted = [...policies].sort((a, b) =>
    `${a.metadata.namespace}/${a.metadata.name}` < `${b.metadata.namespace}/${b.metadata.name}` ? -1 : 1,
  );
  const local = world.pods.filter((p) => p.nodeName === nodeName).sort((a, b) => (a.ip < b.ip ? -1 : 1));
  const chains: string[] = [TOP_CHAIN];
  const top: string[] = [`-A ${TOP_CHAIN} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN`];
  const body: string[] = [];
  let pods = 0;
  for (const pod of local) {
    let selected = false;
    for (const direction of ['egress', 'ingress'] as const) {
      const selecting = sorted.filter((np) => policyTypes(policySpec(np))[direction] && selects(np, pod));
      if (!selecting.length) continue;
      selected = true;
      const key = `${pod.namespace}/${pod.name}/${pod.ip}`;
      const chain = `${direction === 'ingress' ? 'K8TS-PI-' : 'K8TS-PE-'}${hash(key)}`;
      chains.push(chain);
      const who = `${pod.namespace}/${pod.name} ${direction}`;
      top.push(
        `-A ${TOP_CHAIN} ${direction === 'ingress' ? '-d' : '-s'} ${pod.ip}/32 -m comment --comment "${who}" -j ${chain}`,
      );
      body.push(`-A ${chain} -j MARK --set-xmark 0x0/${ALLOW_MARK.split('/')[1]}`);
      for (const np of selecting) {
        const ns = np.metadata.namespace ?? 'default';
        const comment = `-m comment --comment "${ns}/${np.metadata.name}"`;
        const rules = policySpec(np)[direction] ?? [];
        rules.forEach((rule, i) => {
          for (const allow of ruleAllows(rule, direction, ns, pod, world))
            body.push(
              ...allowRules(
                chain,
                direction,
                allow,
                comment,
                `${ns}/${np.metadata.name}/${key}/${i}`,
                chains,
              ),
            );
        });
      }
      body.push(`-A ${chain} -m mark --mark ${ALLOW_MARK} -j RETURN`);
      body.push(`-A ${chain} -m comment --comment "default deny ${who}" -j DROP`);
    }
    if (selected) pods++;
  }
  // except chains come out of allowRules, after the pod chains that use them
  const sub = body.filter((l) => l.startsWith('-A K8TS-NB-'));
  const main = body.filter((l) => !l.startsWith('-A K8TS-NB-'));
  const lines = [
    '*filter',
    ...chains.map((c) => `:${c} - [0:0]`),
    ...stale.map((c) => `:${c} - [0:0]`),
    ...top,
    ...main,
    ...sub,
    ...stale.map((c) => `-X ${c}`),
    'COMMIT',
    '',
  ];
  return { chains, text: lines.join('\n'), pods, rules: top.length + body.length };
}

function allowRules(
  chain: string,
  direction: 'ingress' | 'egress',
  a: Allow,
  comment: string,
  key: string,
  chains: string[],
): string[] {
  const addr = direction === 'ingress' ? '-s' : '-d';
  const ports: (PortMatch | undefined)[] = a.ports ?? [undefined];
  const out: string[] = [];
  if (a.cidr && a.except?.length) {
    const nb = `K8TS-NB-${hash(key + a.cidr)}`;
    if (!chains.includes(nb)) {
      chains.push(nb);
      for (const e of a.except) out.push(`-A ${nb} ${addr} ${e} -j RETURN`);
      out.push(`-A ${nb} ${addr} ${a.cidr} -j MARK --set-xmark ${ALLOW_MARK}`);
    }
    for (const p of ports) out.push(`-A ${chain}${portArgs(p)} ${comment} -j ${nb}`);
    return out;
  }
  const addrs = a.cidr ? [a.cidr] : a.ips ? a.ips.map((ip) => `${ip}/32`) : [undefined];
  for (const ip of addrs)
    for (const p of ports)
      out.push(`-A ${chain}${ip ? ` ${addr} ${ip}` : ''}${portArgs(p)} ${comment} -j RETURN`);
  return out;
}
