// `k8ts server`: flags as k3s names them, PKI + datastore + API server, clean shutdown on
// SIGTERM/SIGINT (watches closed, database closed, exit 0).
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ApiServer } from '../apiserver/server.js';
import { logger, setLogLevel } from '../util/log.js';
import { supervise, type Supervised } from './supervise.js';

const HELP = `Usage: k8ts server [flags]

Flags:
  --data-dir DIR                 State directory (default /var/lib/k8ts as root, else ~/.k8ts)
  --bind-address IP              Address to listen on (default 0.0.0.0)
  --https-listen-port PORT       HTTPS port for the API (default 6443)
  --write-kubeconfig PATH        Where to write the admin kubeconfig (default <data-dir>/admin.kubeconfig)
  --write-kubeconfig-mode MODE   File mode of that kubeconfig, octal (default 0600)
  --tls-san NAME                 Extra name or IP for the serving certificate (repeatable)
  --service-cidr CIDR            Service IP range (default 10.43.0.0/16)
  --cluster-cidr CIDR            Pod IP range (default 10.42.0.0/16)
  --datastore-endpoint URL       Datastore: sqlite (default, in the data dir) or sqlite:///path
  --disable-agent                Do not run the local node agent
  --disable-controller-manager   Do not run the controllers
  --disable-scheduler            Do not run the scheduler
  --node-name NAME               Name of the local node (default: the host name)
  --runtime sim|containerd       Runtime of the local agent (default: containerd when installed and root, else sim)
  --sim-nodes N                  Also run N simulated nodes sim-node-<i> (one child process)
  --sim-node-capacity SPEC       Their capacity, e.g. cpu=8,memory=32Gi,pods=110
  --sim-node-labels K=V,...      Their extra labels
  --sim-node-taints K=V:EFFECT,...  Their taints
  --log-level LEVEL              debug, info, warn or error (default info)
`;

export async function runServer(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      'data-dir': { type: 'string' },
      'bind-address': { type: 'string', default: '0.0.0.0' },
      'https-listen-port': { type: 'string', default: '6443' },
      'write-kubeconfig': { type: 'string' },
      'write-kubeconfig-mode': { type: 'string', default: '0600' },
      'tls-san': { type: 'string', multiple: true, default: [] },
      'service-cidr': { type: 'string', default: '10.43.0.0/16' },
      'cluster-cidr': { type: 'string', default: '10.42.0.0/16' },
      'datastore-endpoint': { type: 'string' },
      'disable-agent': { type: 'boolean', default: false },
      'disable-controller-manager': { type: 'boolean', default: false },
      'disable-scheduler': { type: 'boolean', default: false },
      'node-name': { type: 'string' },
      runtime: { type: 'string' },
      'sim-nodes': { type: 'string', default: '0' },
      'sim-node-capacity': { type: 'string', default: '' },
      'sim-node-labels': { type: 'string', default: '' },
      'sim-node-taints': { type: 'string', default: '' },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  setLogLevel(values['log-level']!);
  const log = logger('server');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const dataDir = resolve(values['data-dir'] ?? (isRoot ? '/var/lib/k8ts' : join(homedir(), '.k8ts')));
  const port = Number(values['https-listen-port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`invalid --https-listen-port "${values['https-listen-port']}"`);
  const mode = parseInt(values['write-kubeconfig-mode']!, 8);
  if (Number.isNaN(mode))
    throw new Error(`invalid --write-kubeconfig-mode "${values['write-kubeconfig-mode']}"`);
  const simNodes = Number(values['sim-nodes']);
  if (!Number.isInteger(simNodes) || simNodes < 0)
    throw new Error(`invalid --sim-nodes "${values['sim-nodes']}"`);
  if (values.runtime !== undefined && values.runtime !== 'sim' && values.runtime !== 'containerd')
    throw new Error(`invalid --runtime "${values.runtime}": want sim or containerd`);
  const kubeconfigPath = resolve(values['write-kubeconfig'] ?? join(dataDir, 'admin.kubeconfig'));

  const server = await ApiServer.start({
    dataDir,
    bindAddress: values['bind-address']!,
    port,
    serviceCIDR: values['service-cidr']!,
    clusterCIDR: values['cluster-cidr']!,
    tlsSans: values['tls-san'] ?? [],
    datastoreEndpoint: values['datastore-endpoint'],
    kubeconfigPath,
    kubeconfigMode: mode,
  });
  const components: Supervised[] = [];
  if (!values['disable-controller-manager']) {
    components.push(
      supervise('controller-manager', [
        'controller-manager',
        '--kubeconfig',
        kubeconfigPath,
        '--log-level',
        values['log-level']!,
      ]),
    );
  }
  const logLevel = ['--log-level', values['log-level']!];
  if (!values['disable-scheduler'])
    components.push(supervise('scheduler', ['scheduler', '--kubeconfig', kubeconfigPath, ...logLevel]));
  if (!values['disable-agent']) {
    const agent = [
      'agent',
      '--kubeconfig',
      kubeconfigPath,
      '--data-dir',
      dataDir,
      '--control-plane',
      ...logLevel,
    ];
    if (values['node-name']) agent.push('--node-name', values['node-name']);
    if (values.runtime) agent.push('--runtime', values.runtime);
    components.push(supervise('agent', agent));
  }
  if (simNodes > 0) {
    components.push(
      supervise('sim-nodes', [
        'sim-nodes',
        '--kubeconfig',
        kubeconfigPath,
        '--count',
        values['sim-nodes']!,
        '--sim-node-capacity',
        values['sim-node-capacity']!,
        '--sim-node-labels',
        values['sim-node-labels']!,
        '--sim-node-taints',
        values['sim-node-taints']!,
        ...logLevel,
      ]),
    );
  }
  process.stdout.write(`Wrote kubeconfig ${kubeconfigPath}\n`);
  process.stdout.write(`k8ts is up and running on port ${server.port}\n`);

  return new Promise<number>((done) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info('shutting down', { signal });
      Promise.all(components.map((c) => c.stop()))
        .then(() => server.stop())
        .then(
          () => done(0),
          (err: unknown) => {
            log.error('shutdown failed', { error: String(err) });
            done(1);
          },
        );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
