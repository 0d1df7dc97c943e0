// NodePorts: a hostPort (per protocol and host IP; 0.0.0.0 conflicts with every IP) can be
// used by one pod per node.
import { hostPortsOf } from '../framework/node-info.js';
import { Status, unschedulable, type FilterPlugin } from '../framework/types.js';

export const ERR_REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";

function conflicts(want: string, used: Map<string, number>): boolean {
  const [ip, proto, port] = want.split('/');
  for (const u of used.keys()) {
    const [uip, uproto, uport] = u.split('/');
    if (uproto !== proto || uport !== port) continue;
    if (ip === '0.0.0.0' || uip === '0.0.0.0' || ip === uip) return true;
  }
  return false;
}

export const nodePorts: FilterPlugin = {
  name: 'NodePorts',
  filter(_state, pod, node) {
    if (node.usedPorts.size === 0) return Status.success();
    for (const p of hostPortsOf(pod))
      if (conflicts(p, node.usedPorts)) return unschedulable(ERR_REASON_PORTS);
    return Status.success();
  },
};
