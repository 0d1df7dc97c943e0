// The k8ts command: `k8ts server`, `k8ts kubectl ...`, `k8ts version`.
import { K8S_VERSION } from '../apiserver/version.js';

type Command = (args: string[]) => number | Promise<number>;

// Each command's module is loaded only when it runs: `k8ts server` does not pay for the DNS
// server, the kubelet's gRPC client or etcd's, and `k8ts kubectl` starts at once.
const COMMANDS: Record<string, () => Promise<Command>> = {
  server: async () => (await import('./server.js')).runServer,
  'controller-manager': async () => (await import('../controller-manager/main.js')).runControllerManager,
  dns: async () => (await import('../dns/main.js')).runDns,
  proxy: async () => (await import('../proxy/main.js')).runProxy,
  scheduler: async () => (await import('./scheduler.js')).runScheduler,
  agent: async () => (await import('./agent.js')).runAgent,
  flannel: async () => (await import('../flannel/main.js')).runFlannel,
  'sim-nodes': async () => (await import('./sim-nodes.js')).runSimNodes,
  kubectl: async () => (await import('./kubectl.js')).runKubectl,
  certs: async () => (await import('./certs.js')).runCerts,
  token: async () => (await import('./token.js')).runToken,
  etcd: async () => (await import('./etcd.js')).runEtcd,
  'etcd-snapshot': async () => (await import('./etcd.js')).runEtcdSnapshot,
  'sqlite-backup': async () => (await import('./sqlite-backup.js')).runSqliteBackup,
  'kms-test-plugin': async () => (await import('./kms-test-plugin.js')).runKmsTestPlugin,
  'cluster-proportional-autoscaler': async () => (await import('./cpa.js')).runClusterProportionalAutoscaler,
  'ingress-controller': async () => (await import('../ingress/main.js')).runIngressController,
};

const USAGE = `k8ts - Kubernetes, written in TypeScript

Usage:
  k8ts server [flags]      Run the API server (and, later, controllers, scheduler and agent)
  k8ts controller-manager --kubeconfig FILE   Run the controllers against any API server
  k8ts dns [--kubeconfig FILE] [--listen HOST:PORT]   Run the cluster DNS (CoreDNS's place; in-cluster config without --kubeconfig)
  k8ts proxy --kubeconfig FILE   Run kube-proxy (iptables mode) on this machine
  k8ts ingress-controller --kubeconfig FILE   Run the ingress controller (IngressClass k8ts) on ports 80/443
  k8ts scheduler --kubeconfig FILE [--config FILE]   Run the scheduler against any API server
  k8ts agent --kubeconfig FILE   Run the node agent (kubelet) against any API server
  k8ts flannel --kubeconfig FILE   Run the pod network overlay (VXLAN) of this node alone
  k8ts sim-nodes --count N --kubeconfig FILE   Run N simulated nodes in one process
  k8ts kubectl [args...]   Run the bundled kubectl v1.31 against this server's admin kubeconfig
  k8ts certs check-expiration | renew all|<name>   The server's certificates (as kubeadm certs)
  k8ts token create|list|delete   Manage bootstrap tokens for joining agents
  k8ts etcd member list|remove NAME   The managed etcd's members (k8ts server --cluster-init)
  k8ts etcd-snapshot save|ls|restore FILE   Snapshots of the managed etcd
  k8ts sqlite-backup [--output FILE]   Online backup of the embedded SQLite datastore
  k8ts cluster-proportional-autoscaler --namespace NS --configmap CM --target KIND/NAME   Scale a workload with the cluster's size
  k8ts version             Print the version

Run 'k8ts server --help' for the server's flags.
`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const load = cmd === undefined ? undefined : COMMANDS[cmd];
  if (load) return (await load())(rest);
  switch (cmd) {
    case 'version':
    case '--version':
      process.stdout.write(`k8ts version ${K8S_VERSION.gitVersion}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`k8ts: unknown command "${cmd}"\n\n${USAGE}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`k8ts: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
