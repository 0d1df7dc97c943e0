// `k8ts cluster-proportional-autoscaler`: upstream's cluster-proportional-autoscaler 1.8.4 (the
// kube-dns-autoscaler of seed 004 §3.20) with its flags, Go style (`--v=2`, `--logtostderr=true`).
// In a pod (the image registry.k8s.io/cpa/cluster-proportional-autoscaler:1.8.4) it uses the
// in-cluster config; elsewhere --kubeconfig.
import { parseArgs } from 'node:util';
import { inClusterConfig, loadKubeconfig, RestClient } from '../client/rest.js';
import { glog, ProportionalAutoscaler } from '../cpa/autoscaler.js';
import { parseDefaultParams } from '../cpa/params.js';

const HELP = `Usage of cluster-proportional-autoscaler:
      --alsologtostderr             log to standard error as well as files
      --configmap string            ConfigMap containing our scaling parameters.
      --default-params string       Default parameters(JSON format) for auto-scaling. Will create/re-create a ConfigMap with this default params if ConfigMap is not present.
      --kubeconfig string           Path to a kubeconfig. Only required if out-of-cluster.
      --logtostderr                 log to standard error instead of files (default true)
      --max-sync-failures int       Number of consecutive polling failures before exiting. Default value of 0 will allow for unlimited retries.
      --namespace string            Namespace for all operations, fallback to the namespace of this autoscaler(through MY_POD_NAMESPACE env) if not specified.
      --nodelabels string           NodeLabels for filtering search of nodes and its cpus by LabelSelectors. Input format is a comma separated list of keyN=valueN LabelSelectors. Usage example: --nodelabels=label1=value1,label2=value2.
      --poll-period-seconds int     The time, in seconds, to check cluster status and perform autoscale. (default 10)
      --target string               Target to scale. In format: deployment/*, replicationcontroller/* or replicaset/* (not case sensitive).
  -v, --v Level                     number for the log level verbosity
`;

const BOOLEAN_FLAGS = new Set(['--logtostderr', '--alsologtostderr', '--version']);

/** Go's flag package lets a boolean stand alone or take `=value`; parseArgs wants one form. */
function goFlags(args: string[]): string[] {
  return args.map((a) => (BOOLEAN_FLAGS.has(a) ? `${a}=true` : a));
}

export async function runClusterProportionalAutoscaler(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args: goFlags(args),
    strict: true,
    options: {
      namespace: { type: 'string' },
      configmap: { type: 'string', default: '' },
      target: { type: 'string', default: '' },
      'default-params': { type: 'string' },
      'poll-period-seconds': { type: 'string', default: '10' },
      nodelabels: { type: 'string', default: '' },
      'max-sync-failures': { type: 'string', default: '0' },
      kubeconfig: { type: 'string' },
      logtostderr: { type: 'string', default: 'true' },
      alsologtostderr: { type: 'string', default: 'false' },
      v: { type: 'string', short: 'v', default: '0' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const namespace = values.namespace || process.env.MY_POD_NAMESPACE || '';
  if (!namespace) throw new Error('--namespace (or MY_POD_NAMESPACE) is required');
  if (!values.configmap) throw new Error('--configmap parameter cannot be empty');
  if (!values.target) throw new Error('--target parameter cannot be empty');
  const poll = Number(values['poll-period-seconds']);
  if (!Number.isInteger(poll) || poll < 1)
    throw new Error(`invalid --poll-period-seconds "${values['poll-period-seconds']}"`);
  const maxFailures = Number(values['max-sync-failures']);
  if (!Number.isInteger(maxFailures) || maxFailures < 0)
    throw new Error(`invalid --max-sync-failures "${values['max-sync-failures']}"`);
  const verbosity = Number(values.v);
  if (!Number.isInteger(verbosity) || verbosity < 0) throw new Error(`invalid --v "${values.v}"`);
  const defaultParams = values['default-params'] ? parseDefaultParams(values['default-params']) : undefined;
  const userAgent = 'cluster-proportional-autoscaler/1.8.4 (k8ts)';
  const client = new RestClient(
    values.kubeconfig ? loadKubeconfig(values.kubeconfig, userAgent) : inClusterConfig(userAgent),
  );
  // glog writes to stderr (--logtostderr=true is the only destination k8ts has)
  const log = glog(verbosity, (l) => process.stderr.write(l));
  let exitCode = 0;
  const scaler = new ProportionalAutoscaler(
    client,
    {
      namespace,
      configmap: values.configmap,
      target: values.target,
      ...(defaultParams ? { defaultParams } : {}),
      pollPeriodMs: poll * 1000,
      nodeLabels: values.nodelabels!,
      maxSyncFailures: maxFailures,
    },
    log,
    (code) => {
      // --max-sync-failures reached: stop as on SIGTERM, then exit with the code
      exitCode = code;
      process.kill(process.pid, 'SIGTERM');
    },
  );
  log.info(0, 'autoscaler.go', `Scaling Namespace: ${namespace}, Target: ${values.target}`);
  scaler.start();
  // SIGTERM/SIGINT stop it (the image runs this module alone, so no agent helpers here)
  await new Promise<void>((done) => {
    process.once('SIGTERM', () => done());
    process.once('SIGINT', () => done());
  });
  scaler.stop();
  client.close();
  return exitCode;
}
