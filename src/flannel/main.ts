// `k8ts flannel`: the overlay alone (flanneld --kube-subnet-mgr), and what the agent calls to run
// it in-process: the pods' network settings under a backend, then the controller.
import { parseArgs } from 'node:util';
import { loadKubeconfig, RestClient } from '../client/rest.js';
import { defaultNodeIP } from '../kubelet/identity.js';
import { logger, setLogLevel } from '../util/log.js';
import { parseCidr } from './cidr.js';
import { cleanupOverlay, FlannelController } from './controller.js';
import { parentLink, vxlanMTU } from './device.js';
import { NetCommands } from './exec.js';
import type { Backend } from './table.js';

const log = logger('flannel');

export type BackendFlag = Backend | 'none';

export function parseBackend(v: string): BackendFlag {
  if (v !== 'vxlan' && v !== 'host-gw' && v !== 'none')
    throw new Error(`invalid --flannel-backend "${v}": want vxlan, host-gw or none`);
  return v;
}

/**
 * The CNI bridge settings a backend needs: VXLAN pods get the parent MTU less 50, and the
 * bridge stops masquerading (FLANNEL-POSTRTG does it, without NATing pod-to-pod traffic).
 */
export async function overlayNetwork(
  backend: Backend,
  nodeIP: string,
  cmd = new NetCommands(),
): Promise<{ mtu: number; ipMasq: boolean }> {
  const parent = await parentLink(cmd, nodeIP);
  return { mtu: backend === 'vxlan' ? vxlanMTU(parent) : parent.mtu, ipMasq: false };
}

export async function startOverlay(o: {
  client: RestClient;
  nodeName: string;
  nodeIP: string;
  clusterCIDR: string;
  backend: Backend;
}): Promise<FlannelController> {
  parseCidr(o.clusterCIDR);
  const c = new FlannelController(o);
  await c.start();
  log.info('overlay started', { backend: o.backend, node: o.nodeName, nodeIP: o.nodeIP });
  return c;
}

const HELP = `Usage: k8ts flannel --kubeconfig FILE [flags]

Runs the pod network overlay of one node (flannel's design, kube subnet manager).

Flags:
  --kubeconfig FILE          How to reach the API server (required unless --cleanup)
  --node-name NAME           This node's name (default: the host name)
  --node-ip IP               This node's InternalIP (default: the first non-loopback IPv4)
  --cluster-cidr CIDR        The pod network (default 10.42.0.0/16)
  --flannel-backend B        vxlan (default) or host-gw
  --cleanup                  Remove flannel.1, host-gw routes and the iptables chains, then exit
  --log-level LEVEL          debug, info, warn or error (default info)
`;

export async function runFlannel(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      kubeconfig: { type: 'string' },
      'node-name': { type: 'string' },
      'node-ip': { type: 'string' },
      'cluster-cidr': { type: 'string', default: '10.42.0.0/16' },
      'flannel-backend': { type: 'string', default: 'vxlan' },
      cleanup: { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  setLogLevel(values['log-level']!);
  parseCidr(values['cluster-cidr']!);
  if (values.cleanup) {
    const removed = await cleanupOverlay(new NetCommands(), values['cluster-cidr']!);
    for (const r of removed) process.stdout.write(`removed ${r}\n`);
    return 0;
  }
  const backend = parseBackend(values['flannel-backend']!);
  if (backend === 'none') throw new Error('--flannel-backend none: nothing to run');
  if (!values.kubeconfig) throw new Error('--kubeconfig is required');
  const { hostname } = await import('node:os');
  const client = new RestClient(loadKubeconfig(values.kubeconfig, 'flannel/v0.25 (k8ts)'));
  const c = await startOverlay({
    client,
    nodeName: (values['node-name'] ?? hostname()).toLowerCase(),
    nodeIP: values['node-ip'] ?? defaultNodeIP(),
    clusterCIDR: values['cluster-cidr']!,
    backend,
  });
  return new Promise((done) => {
    const stop = () => {
      c.stop();
      client.close();
      done(0);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
