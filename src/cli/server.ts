// `k8ts server`: flags as k3s names them, PKI + datastore + API server, clean shutdown on
// SIGTERM/SIGINT (watches closed, database closed, exit 0).
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ApiServer } from '../apiserver/server.js';
import { AUTH_FLAG_OPTIONS, AUTH_FLAGS_HELP, authenticationFlags, signingKeyFile } from './auth-flags.js';
import { nthIP } from '../apiserver/allocators.js';
import {
  AUDIT_FLAG_OPTIONS,
  AUDIT_FLAGS_HELP,
  auditBoolArgs,
  auditOptionsFromFlags,
  parseDuration,
} from '../apiserver/audit/index.js';
import { logger, setLogLevel } from '../util/log.js';
import { supervise, type Supervised } from './supervise.js';
import { AddressPool } from '../controllers/servicelb/pool.js';
import { defaultRuntimeName } from '../kubelet/runtime/name.js';
import { spawnSync } from 'node:child_process';
import { loadKubeletCA } from '../apiserver/pod-streams/kubelet-tls.js';
import { loadKubeconfig, RestClient } from '../client/rest.js';
import { STREAM_CONFIGMAP_FLAGS } from '../deploy/ingress.js';
import { deployManifests, manifestsDir, parseDisable, stagePackagedManifests } from '../deploy/manifests.js';
import { HA_FLAG_OPTIONS, HA_FLAGS_HELP, startManagedDatastore } from './server-ha.js';
import { tokenPath } from '../cluster/join-token.js';
import { caCertsRoute } from '../cluster/bootstrap-route.js';
import { ensureLocalAgentCredentials } from '../cluster/local-agent-credentials.js';
import { labelControlPlaneNode } from '../cluster/control-plane-node.js';
import { nodeNameOf } from '../kubelet/identity.js';
import { loadAdmissionConfig } from '../apiserver/admission/config.js';
import type { ShutdownOptions } from '../apiserver/shutdown.js';

/** The proxy needs root and iptables-restore on the host. */
function proxyCanRun(): boolean {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return root && spawnSync('iptables-restore', ['--version']).status === 0;
}

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
  --cluster-dns IP               The cluster DNS Service's IP (default: the 10th address of --service-cidr)
  --datastore-endpoint URL       Datastore: sqlite (default, in the data dir), sqlite:///path, or
                                 etcd: https://host:2379[,https://host2:2379,...]
  --datastore-cafile FILE        CA bundle to verify the etcd servers
  --datastore-certfile FILE      Client certificate for etcd
  --datastore-keyfile FILE       Client key for etcd
  --disable-admission-plugins P  Admission plugins to leave out, comma-separated (upstream's names)
  --admission-control-config-file FILE  AdmissionConfiguration (PodSecurity defaults and exemptions)
  --runtime-config KEY=VAL,...   APIs to serve or not, upstream's syntax: api/all=false,batch/v1=true,
                                 apps/v1/deployments=false (docs/extending.md)
  --service-lb-pool ADDRS        Addresses for LoadBalancer services: CIDRs or ranges, comma-separated
                                 (default: the nodes' InternalIPs, as k3s's ServiceLB)
  --metric-resolution DUR        How often the Metrics API (kubectl top) scrapes the kubelets (default 15s)
  --kubelet-certificate-authority FILE  CA bundle kubelets' serving certificates must chain to (logs, exec,
                                 attach, port-forward); without it they are not verified, as upstream
  --encryption-provider-config FILE  EncryptionConfiguration for encryption at rest (docs/security.md)
  --encryption-provider-config-automatic-reload  Apply changes of that file while running (checked
                                 on file events and every minute; a bad file is logged, the last good one stays)
${AUDIT_FLAGS_HELP}${AUTH_FLAGS_HELP}${HA_FLAGS_HELP}  --disable NAME                 Do not deploy a packaged add-on (repeatable; k3s's names): coredns, local-storage,
                                 ingress (the IngressClass k8ts and its controller on ports 80/443)
                                 (the server applies <data-dir>/server/manifests/*.yaml at start)
  --disable-agent                Do not run the local node agent
  --disable-controller-manager   Do not run the controllers
  --disable-scheduler            Do not run the scheduler
  --kube-controller-manager-arg FLAG=VALUE  Extra flag for the controller manager (repeatable, as k3s),
                                 e.g. leader-elect-lease-duration=30s
  --kube-scheduler-arg FLAG=VALUE      Extra flag for the scheduler (repeatable)
  --node-name NAME               Name of the local node (default: the host name)
  --runtime sim|containerd       Runtime of the local agent (default: containerd when installed and root, else sim)
  --kubelet-port PORT            The local agent's kubelet API port (default 10250; 0 = any free port)
  --kubelet-arg KEY=VALUE        A flag for the local agent's kubelet, as k3s (allowed-unsafe-sysctls=LIST)
  --disable-kube-proxy           Do not run the service proxy (it runs with the agent on the containerd runtime)
  --sim-nodes N                  Also run N simulated nodes sim-node-<i> (one child process)
  --sim-node-capacity SPEC       Their capacity, e.g. cpu=8,memory=32Gi,pods=110
  --sim-node-labels K=V,...      Their extra labels
  --sim-node-taints K=V:EFFECT,...  Their taints
  --sim-node-kubelet-address IP  Serve their kubelet APIs on IP (their InternalIP; for kubectl top and the HPA)
  --shutdown-delay-duration DUR  On SIGTERM, keep serving this long while /readyz fails, so load
                                 balancers move away first (default 0s)
  --shutdown-send-retry-after    During the drain, keep listening and answer new requests 429 with
                                 Retry-After and Connection: close (default false)
  --shutdown-watch-termination-grace-period DUR  How long the drain waits for watches to end on
                                 their own before ending them (default 0s)
  --log-level LEVEL              debug, info, warn or error (default info)
`;

/** The graceful-termination flags (upstream's names and defaults; docs/ha.md). */
function shutdownOptions(values: Record<string, unknown>): ShutdownOptions {
  const ms = (flag: string) => {
    const v = parseDuration(values[flag] as string, flag);
    if (v < 0) throw new Error(`--${flag} can not be negative value`);
    return v;
  };
  return {
    delayMs: ms('shutdown-delay-duration'),
    sendRetryAfter: values['shutdown-send-retry-after'] === true,
    watchGraceMs: ms('shutdown-watch-termination-grace-period'),
  };
}

export async function runServer(argv: string[]): Promise<number> {
  const audit = auditBoolArgs(argv);
  const { values } = parseArgs({
    args: audit.args,
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
      'cluster-dns': { type: 'string' },
      'datastore-endpoint': { type: 'string' },
      ...AUTH_FLAG_OPTIONS,
      ...HA_FLAG_OPTIONS,
      'datastore-cafile': { type: 'string' },
      'datastore-certfile': { type: 'string' },
      'datastore-keyfile': { type: 'string' },
      'encryption-provider-config': { type: 'string' },
      'encryption-provider-config-automatic-reload': { type: 'boolean', default: false },
      'metric-resolution': { type: 'string', default: '15s' },
      ...AUDIT_FLAG_OPTIONS,
      disable: { type: 'string', multiple: true, default: [] },
      'disable-agent': { type: 'boolean', default: false },
      'kubelet-port': { type: 'string' },
      'kubelet-certificate-authority': { type: 'string' },
      'kubelet-arg': { type: 'string', multiple: true, default: [] },
      'service-lb-pool': { type: 'string', default: '' },
      'disable-admission-plugins': { type: 'string', default: '' },
      'admission-control-config-file': { type: 'string' },
      'runtime-config': { type: 'string', default: '' },
      'disable-controller-manager': { type: 'boolean', default: false },
      'disable-scheduler': { type: 'boolean', default: false },
      'kube-controller-manager-arg': { type: 'string', multiple: true, default: [] },
      'kube-scheduler-arg': { type: 'string', multiple: true, default: [] },
      'node-name': { type: 'string' },
      runtime: { type: 'string' },
      'disable-kube-proxy': { type: 'boolean', default: false },
      'sim-nodes': { type: 'string', default: '0' },
      'sim-node-capacity': { type: 'string', default: '' },
      'sim-node-labels': { type: 'string', default: '' },
      'sim-node-taints': { type: 'string', default: '' },
      'sim-node-kubelet-address': { type: 'string' },
      'shutdown-delay-duration': { type: 'string', default: '0s' },
      'shutdown-send-retry-after': { type: 'boolean', default: false },
      'shutdown-watch-termination-grace-period': { type: 'string', default: '0s' },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  setLogLevel(values['log-level']!);
  // bad --audit-* values stop the server before anything starts
  const auditOpts = auditOptionsFromFlags({ ...values, ...audit.values }, (p) => resolve(p));
  const log = logger('server');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const dataDir = resolve(values['data-dir'] ?? (isRoot ? '/var/lib/k8ts' : join(homedir(), '.k8ts')));
  const port = Number(values['https-listen-port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`invalid --https-listen-port "${values['https-listen-port']}"`);
  const mode = parseInt(values['write-kubeconfig-mode']!, 8);
  if (Number.isNaN(mode))
    throw new Error(`invalid --write-kubeconfig-mode "${values['write-kubeconfig-mode']}"`);
  // a bad pool is refused at start with the reason, before anything runs
  if (values['service-lb-pool']) new AddressPool(values['service-lb-pool']);
  const simNodes = Number(values['sim-nodes']);
  if (!Number.isInteger(simNodes) || simNodes < 0)
    throw new Error(`invalid --sim-nodes "${values['sim-nodes']}"`);
  if (values.runtime !== undefined && values.runtime !== 'sim' && values.runtime !== 'containerd')
    throw new Error(`invalid --runtime "${values.runtime}": want sim or containerd`);
  const shutdown = shutdownOptions(values);
  const configFile = values['admission-control-config-file'];
  const admissionConfig = configFile ? loadAdmissionConfig(resolve(configFile)) : undefined;
  const clusterDNS = values['cluster-dns'] ?? nthIP(values['service-cidr']!, 10);
  const disabled = parseDisable(values.disable ?? []);
  const kubeconfigPath = resolve(values['write-kubeconfig'] ?? join(dataDir, 'admin.kubeconfig'));

  const serviceIP = nthIP(values['service-cidr']!, 1);
  const tlsSans = values['tls-san'] ?? [];
  // checked before anything starts: a bad file is a flag error
  const kubeletCA = values['kubelet-certificate-authority']
    ? loadKubeletCA(resolve(values['kubelet-certificate-authority']))
    : undefined;
  const managed = await startManagedDatastore(
    values,
    dataDir,
    { tlsDir: join(dataDir, 'server', 'tls'), kubernetesServiceIP: serviceIP, tlsSans },
    signingKeyFile(values, dataDir),
  );
  // a joined server may have the cluster's file without the flag (server-ha.ts)
  const encryptionProviderConfig = managed?.encryptionProviderConfig ?? values['encryption-provider-config'];
  if (values['encryption-provider-config-automatic-reload'] && !encryptionProviderConfig) {
    await managed?.stop();
    throw new Error(
      '--encryption-provider-config-automatic-reload must be set with --encryption-provider-config',
    );
  }
  const caCerts = caCertsRoute(join(dataDir, 'server', 'tls', 'server-ca.crt'));
  const server = await ApiServer.start({
    dataDir,
    bindAddress: values['bind-address']!,
    port,
    serviceCIDR: values['service-cidr']!,
    clusterCIDR: values['cluster-cidr']!,
    admissionConfig,
    disableAdmissionPlugins: values['disable-admission-plugins']!.split(',')
      .map((p) => p.trim())
      .filter(Boolean),
    clusterDNS,
    metricResolutionMs: parseDuration(values['metric-resolution']!, 'metric-resolution'),
    ...(kubeletCA !== undefined ? { kubeletCA } : {}),
    tlsSans,
    datastoreEndpoint: managed?.datastoreEndpoint ?? values['datastore-endpoint'],
    datastoreTLS: managed?.datastoreTLS ?? {
      caFile: values['datastore-cafile'],
      certFile: values['datastore-certfile'],
      keyFile: values['datastore-keyfile'],
    },
    preRoute: (req, res) => caCerts(req, res) || (managed?.preRoute(req, res) ?? false),
    hostname: values['node-name'],
    kubeconfigPath,
    kubeconfigMode: mode,
    authentication: authenticationFlags(values),
    encryptionProviderConfig,
    encryptionProviderConfigAutomaticReload: values['encryption-provider-config-automatic-reload'],
    audit: auditOpts,
    runtimeConfig: values['runtime-config'],
    shutdown,
  });
  const components: Supervised[] = [];
  if (!values['disable-controller-manager']) {
    const tls = join(dataDir, 'server', 'tls');
    components.push(
      supervise('controller-manager', [
        'controller-manager',
        '--kubeconfig',
        kubeconfigPath,
        '--service-account-private-key-file',
        signingKeyFile(values, dataDir),
        '--cluster-cidr',
        values['cluster-cidr']!,
        '--service-cluster-ip-range',
        values['service-cidr']!,
        '--log-level',
        values['log-level']!,
        ...(values['service-lb-pool'] ? ['--service-lb-pool', values['service-lb-pool']] : []),
        '--cluster-signing-cert-file',
        join(tls, 'server-ca.crt'),
        '--cluster-signing-key-file',
        join(tls, 'server-ca.key'),
        ...componentArgs(values['kube-controller-manager-arg']!),
      ]),
    );
  }
  const logLevel = ['--log-level', values['log-level']!];
  if (!values['disable-scheduler'])
    components.push(
      supervise('scheduler', [
        'scheduler',
        '--kubeconfig',
        kubeconfigPath,
        ...logLevel,
        ...componentArgs(values['kube-scheduler-arg']!),
      ]),
    );
  let controlPlaneLabel: { done: Promise<void>; stop(): void } | undefined;
  let adminClient: RestClient | undefined;
  if (!values['disable-agent']) {
    // the agent's components run as their own users, not as the admin (docs/security.md)
    const nodeName = nodeNameOf(values['node-name']);
    const creds = await ensureLocalAgentCredentials({
      dataDir,
      tlsDir: join(dataDir, 'server', 'tls'),
      nodeName,
      server: loadKubeconfig(kubeconfigPath).server,
    });
    const agent = [
      'agent',
      '--kubeconfig',
      creds.kubelet,
      '--network-policy-kubeconfig',
      creds.controller,
      '--data-dir',
      dataDir,
      '--node-name',
      nodeName,
      // pods' resolv.conf names the kube-dns Service the API server made
      '--cluster-dns',
      clusterDNS,
      '--cluster-cidr',
      values['cluster-cidr']!,
      ...logLevel,
    ];
    if (values.runtime) agent.push('--runtime', values.runtime);
    if (values['kubelet-port']) agent.push('--kubelet-port', values['kubelet-port']);
    agent.push(...componentArgs(values['kubelet-arg']!));
    components.push(supervise('agent', agent));
    // NodeRestriction keeps role labels from the kubelet: the server sets them (as k3s)
    adminClient = new RestClient(loadKubeconfig(kubeconfigPath, 'k8ts-server'));
    controlPlaneLabel = labelControlPlaneNode(adminClient, nodeName);
    // real pods need the service proxy on their node; simulated ones have no packets to route
    // (and several sim clusters on one host must not fight over its iptables)
    const runtime = values.runtime ?? defaultRuntimeName();
    if (runtime === 'containerd' && !values['disable-kube-proxy'] && proxyCanRun()) {
      const proxy = [
        'proxy',
        '--kubeconfig',
        creds.kubeProxy,
        '--cluster-cidr',
        values['cluster-cidr']!,
        '--hostname-override',
        nodeName,
        ...logLevel,
      ];
      components.push(supervise('proxy', proxy));
    }
    // the ingress controller serves the node's ports 80/443, which simulated nodes do not have
    if (runtime === 'containerd' && !disabled.has('ingress')) {
      const ingress = [
        'ingress-controller',
        '--kubeconfig',
        kubeconfigPath,
        ...STREAM_CONFIGMAP_FLAGS,
        ...logLevel,
      ];
      if (values['node-name']) ingress.push('--node-name', values['node-name']);
      components.push(supervise('ingress-controller', ingress));
    }
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
        ...(values['sim-node-kubelet-address']
          ? ['--kubelet-address', values['sim-node-kubelet-address']]
          : []),
        ...logLevel,
      ]),
    );
  }
  // the packaged add-ons (the coredns Deployment) and the user's auto-deploying manifests
  let stopping = false;
  const staged = stagePackagedManifests(manifestsDir(dataDir), {
    disable: disabled,
    clusterDomain: 'cluster.local',
    storageDir: join(dataDir, 'storage'),
  });
  const deployClient = new RestClient(loadKubeconfig(kubeconfigPath, 'k8ts-deploy'));
  const deployed = deployManifests(deployClient, manifestsDir(dataDir), staged.removed, {
    stopped: () => stopping,
  }).finally(() => deployClient.close());
  process.stdout.write(`Wrote kubeconfig ${kubeconfigPath}\n`);
  if (managed) process.stdout.write(`Server join token in ${tokenPath(dataDir)}\n`);
  process.stdout.write(`k8ts is up and running on port ${server.port}\n`);

  return new Promise<number>((done) => {
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info('shutting down', { signal });
      // /readyz fails at once; the components stop while the API server still serves them
      server.initiateShutdown();
      controlPlaneLabel?.stop();
      Promise.all([...components.map((c) => c.stop()), deployed, controlPlaneLabel?.done])
        .then(() => adminClient?.close())
        .then(() => server.stop())
        .then(() => managed?.stop())
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

/** k3s's --kube-*-arg values ("flag=value", or "flag" alone) as the component's own flags. */
function componentArgs(values: string[]): string[] {
  return values.map((v) => `--${v.replace(/^--?/, '')}`);
}
