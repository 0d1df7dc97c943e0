// The k8ts command: `k8ts server`, `k8ts kubectl ...`, `k8ts version`.
import { runServer } from './server.js';
import { runKubectl } from './kubectl.js';
import { runCerts } from './certs.js';
import { runToken } from './token.js';
import { runEtcd, runEtcdSnapshot } from './etcd.js';
import { runSqliteBackup } from './sqlite-backup.js';
import { runKmsTestPlugin } from './kms-test-plugin.js';
import { runControllerManager } from '../controller-manager/main.js';
import { runDns } from '../dns/main.js';
import { runProxy } from '../proxy/main.js';
import { runAgent } from './agent.js';
import { runFlannel } from '../flannel/main.js';
import { runSimNodes } from './sim-nodes.js';
import { runScheduler } from './scheduler.js';
import { K8S_VERSION } from '../apiserver/server.js';

const USAGE = `k8ts - Kubernetes, written in TypeScript

Usage:
  k8ts server [flags]      Run the API server (and, later, controllers, scheduler and agent)
  k8ts controller-manager --kubeconfig FILE   Run the controllers against any API server
  k8ts dns [--kubeconfig FILE] [--listen HOST:PORT]   Run the cluster DNS (CoreDNS's place; in-cluster config without --kubeconfig)
  k8ts proxy --kubeconfig FILE   Run kube-proxy (iptables mode) on this machine
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
  k8ts kms-test-plugin --socket PATH --keys-file FILE [--key-id ID]   A KMS v2 plugin for tests
  k8ts version             Print the version

Run 'k8ts server --help' for the server's flags.
`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'server':
      return runServer(rest);
    case 'controller-manager':
      return runControllerManager(rest);
    case 'dns':
      return runDns(rest);
    case 'proxy':
      return runProxy(rest);
    case 'scheduler':
      return runScheduler(rest);
    case 'agent':
      return runAgent(rest);
    case 'flannel':
      return runFlannel(rest);
    case 'sim-nodes':
      return runSimNodes(rest);
    case 'kubectl':
      return runKubectl(rest);
    case 'certs':
      return runCerts(rest);
    case 'token':
      return runToken(rest);
    case 'etcd':
      return runEtcd(rest);
    case 'etcd-snapshot':
      return runEtcdSnapshot(rest);
    case 'sqlite-backup':
      return runSqliteBackup(rest);
    case 'kms-test-plugin':
      return runKmsTestPlugin(rest);
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
