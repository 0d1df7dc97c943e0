// `k8ts sim-nodes --count N --kubeconfig X`: N simulated nodes (sim-node-<i>) in this one
// process, sharing one client and one pod informer. `k8ts server --sim-nodes N` runs it.
import { parseArgs } from 'node:util';
import { EventRecorder } from '../client/events.js';
import { loadKubeconfig } from '../client/rest.js';
import { ThrottledClient } from '../client/throttle.js';
import { KubeletHost } from '../kubelet/host.js';
import {
  parseCapacity,
  parseLabels,
  parseTaints,
  simFallbackCIDR,
  simIdentity,
} from '../kubelet/identity.js';
import { SimRuntime } from '../kubelet/runtime/sim.js';
import { SimKubeletServers } from '../kubelet/server/sim-kubelet-servers.js';
import { logger, setLogLevel } from '../util/log.js';
import { untilStopped } from './agent.js';

const HELP = `Usage: k8ts sim-nodes --count N --kubeconfig FILE [flags]

Flags:
  --count N                    How many nodes (named sim-node-<i>)
  --first-index I              Index of the first node (default 0)
  --sim-node-capacity SPEC     e.g. cpu=8,memory=32Gi,pods=110 (default cpu=8,memory=32Gi,pods=110,ephemeral-storage=100Gi)
  --sim-node-labels K=V,...    Extra labels on every node
  --sim-node-taints K=V:EFFECT,...  Taints on every node
  --start-seconds S            Seconds pods spend in ContainerCreating (default 0)
  --kubelet-address IP         Serve each node's kubelet API (/metrics/resource, for the Metrics API and
                               the HPA) on IP with a free port, and make IP the nodes' InternalIP
  --events                     Record the kubelet's pod events (Created, Started, ...); off by default
  --log-level LEVEL            debug, info, warn or error (default info)
`;

export async function runSimNodes(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      kubeconfig: { type: 'string' },
      count: { type: 'string' },
      'first-index': { type: 'string', default: '0' },
      'sim-node-capacity': { type: 'string', default: '' },
      'sim-node-labels': { type: 'string', default: '' },
      'sim-node-taints': { type: 'string', default: '' },
      'start-seconds': { type: 'string', default: '0' },
      events: { type: 'boolean', default: false },
      'kubelet-address': { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!values.kubeconfig) throw new Error('--kubeconfig is required');
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 0) throw new Error(`invalid --count "${values.count ?? ''}"`);
  const first = Number(values['first-index']);
  if (!Number.isInteger(first) || first < 0)
    throw new Error(`invalid --first-index "${values['first-index']}"`);
  const startSeconds = Number(values['start-seconds']);
  if (!Number.isFinite(startSeconds) || startSeconds < 0)
    throw new Error(`invalid --start-seconds "${values['start-seconds']}"`);
  setLogLevel(values['log-level']!);
  const capacity = parseCapacity(values['sim-node-capacity']!);
  const labels = parseLabels(values['sim-node-labels']!);
  const taints = parseTaints(values['sim-node-taints']!);

  const client = new ThrottledClient(
    loadKubeconfig(values.kubeconfig, 'kubelet/v1.31.0 (linux/amd64) k8ts-sim'),
  );
  const host = new KubeletHost(client);
  const servers = values['kubelet-address']
    ? new SimKubeletServers(values['kubelet-address'], host, client, client.config.ca ?? '')
    : undefined;
  for (let i = first; i < first + count; i++) {
    const runtime = new SimRuntime({ startSeconds });
    const identity = simIdentity({ index: i, capacity, labels, taints, runtimeVersion: runtime.version });
    await servers?.serve(identity, runtime);
    const opts = { identity, runtime, fallbackPodCIDR: simFallbackCIDR(i) };
    host.add(
      values.events ? { ...opts, recorder: new EventRecorder(client, 'kubelet', identity.name) } : opts,
    );
  }
  await host.start();
  logger('sim-nodes').info('simulated nodes running', { count, first });
  return untilStopped(() => {
    servers?.close();
    host.stop();
    client.close();
  });
}
