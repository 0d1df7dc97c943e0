// flannel's iptables rules (its --ip-masq and forward rules), as iptables-restore input: pod
// traffic to other pods is never NATed, pod traffic leaving the cluster CIDR is masqueraded
// (the CNI bridge's own ipMasq is off under the overlay, or it would NAT pod-to-pod traffic
// across nodes too), and FORWARD accepts the cluster CIDR both ways (hosts whose FORWARD policy
// is DROP, e.g. with Docker). Jumps are appended to the built-in chains, so rules inserted at
// the top (kube-proxy's, the network policy chains) still come first.
export const MASQ_CHAIN = 'FLANNEL-POSTRTG';
export const FWD_CHAIN = 'FLANNEL-FWD';
const MASQ_COMMENT = '-m comment --comment "flanneld masq"';
const FWD_COMMENT = '-m comment --comment "flanneld forward"';

export interface JumpRule {
  table: 'nat' | 'filter';
  from: string;
  args: string[];
}

export const JUMPS: JumpRule[] = [
  {
    table: 'nat',
    from: 'POSTROUTING',
    args: ['-m', 'comment', '--comment', 'flanneld masq', '-j', MASQ_CHAIN],
  },
  {
    table: 'filter',
    from: 'FORWARD',
    args: ['-m', 'comment', '--comment', 'flanneld forward', '-j', FWD_CHAIN],
  },
];

/** Both tables' chains for a node with `podCIDR` in `clusterCIDR` (declaring a chain flushes it). */
export function masqRestore(clusterCIDR: string, podCIDR: string): string {
  return [
    '*nat',
    `:${MASQ_CHAIN} - [0:0]`,
    // kube-proxy marks what it will masquerade itself
    `-A ${MASQ_CHAIN} -m mark --mark 0x4000/0x4000 ${MASQ_COMMENT} -j RETURN`,
    `-A ${MASQ_CHAIN} -s ${clusterCIDR} -d ${clusterCIDR} ${MASQ_COMMENT} -j RETURN`,
    `-A ${MASQ_CHAIN} ! -s ${clusterCIDR} -d ${podCIDR} ${MASQ_COMMENT} -j RETURN`,
    `-A ${MASQ_CHAIN} -s ${clusterCIDR} ! -d 224.0.0.0/4 ${MASQ_COMMENT} -j MASQUERADE --random-fully`,
    `-A ${MASQ_CHAIN} ! -s ${clusterCIDR} -d ${clusterCIDR} ${MASQ_COMMENT} -j MASQUERADE --random-fully`,
    'COMMIT',
    '*filter',
    `:${FWD_CHAIN} - [0:0]`,
    `-A ${FWD_CHAIN} -s ${clusterCIDR} ${FWD_COMMENT} -j ACCEPT`,
    `-A ${FWD_CHAIN} -d ${clusterCIDR} ${FWD_COMMENT} -j ACCEPT`,
    'COMMIT',
    '',
  ].join('\n');
}

/** Flushes and deletes both chains (after the jumps are gone). */
export function masqCleanupRestore(): string {
  return [
    '*nat',
    `:${MASQ_CHAIN} - [0:0]`,
    `-X ${MASQ_CHAIN}`,
    'COMMIT',
    '*filter',
    `:${FWD_CHAIN} - [0:0]`,
    `-X ${FWD_CHAIN}`,
    'COMMIT',
    '',
  ].join('\n');
}
