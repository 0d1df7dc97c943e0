// Chain names as upstream's iptables proxier makes them, so that `iptables-save` on a k8ts
// node reads like the seeds show: a 16-character base32 prefix of sha256(portName + protocol
// [+ endpoint]) — e.g. default/kubernetes:https over tcp is KUBE-SVC-NPX46M4PTMTKRN6Y.
import { createHash } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = ((value << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

function hash16(text: string): string {
  return base32(createHash('sha256').update(text).digest()).slice(0, 16);
}

export const CHAIN = {
  services: 'KUBE-SERVICES',
  externalServices: 'KUBE-EXTERNAL-SERVICES',
  nodePorts: 'KUBE-NODEPORTS',
  postrouting: 'KUBE-POSTROUTING',
  markMasq: 'KUBE-MARK-MASQ',
  forward: 'KUBE-FORWARD',
  proxyFirewall: 'KUBE-PROXY-FIREWALL',
  kubeletFirewall: 'KUBE-FIREWALL',
} as const;

export const SERVICE_CHAIN_PREFIXES = ['KUBE-SVC-', 'KUBE-SVL-', 'KUBE-EXT-', 'KUBE-FW-', 'KUBE-SEP-'];

export const clusterChain = (name: string, proto: string) => `KUBE-SVC-${hash16(name + proto)}`;
export const localChain = (name: string, proto: string) => `KUBE-SVL-${hash16(name + proto)}`;
export const externalChain = (name: string, proto: string) => `KUBE-EXT-${hash16(name + proto)}`;
export const firewallChain = (name: string, proto: string) => `KUBE-FW-${hash16(name + proto)}`;
export const endpointChain = (name: string, proto: string, endpoint: string) =>
  `KUBE-SEP-${hash16(name + proto + endpoint)}`;

export const isServiceChain = (chain: string) => SERVICE_CHAIN_PREFIXES.some((p) => chain.startsWith(p));
