// The host's own IPv4 address, for defaults (node InternalIP, the API server's advertised
// address). The devices a node creates itself (the CNI bridge, flannel's VXLAN device, pod
// veths) carry pod-network addresses, never the host's, and once created they may be listed
// before the host's interfaces (a restarted server on a host whose only other device is lo).
import { networkInterfaces } from 'node:os';

const NODE_MADE_DEVICE = /^(k8ts|flannel|cni|veth|kube-)/;

/** The first non-loopback IPv4 of a host device, else 127.0.0.1. */
export function firstHostIPv4(): string {
  for (const [name, list] of Object.entries(networkInterfaces())) {
    if (NODE_MADE_DEVICE.test(name)) continue;
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}
