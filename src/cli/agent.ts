// `k8ts agent --kubeconfig X`: the local node agent (for now the kubelet) against any API
// server. `k8ts server` runs it as a child process unless --disable-agent.
import { AgentLoadBalancer } from '../cluster/agent-lb.js';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { StatusError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { EventRecorder } from '../client/events.js';
import { loadKubeconfig, RestClient } from '../client/rest.js';
import { ThrottledClient } from '../client/throttle.js';
import { KubeletHost } from '../kubelet/host.js';
import { localIdentity, nodeNameOf, parseLabels, parseTaints } from '../kubelet/identity.js';
import { ContainerdRuntime } from '../kubelet/runtime/containerd.js';
import { serviceEnv } from '../kubelet/runtime/service-env.js';
import { SysctlAllowlist } from '../kubelet/runtime/sysctls.js';
import { createRuntime, defaultRuntimeName, type RuntimeName } from '../kubelet/runtime/index.js';
import type { PodRuntime } from '../kubelet/runtime/types.js';
import type { NodeIdentity } from '../kubelet/node-status.js';
import { logger, setLogLevel } from '../util/log.js';
import { KubeletServer } from '../kubelet/server/server.js';
import { ensureKubeletServingCert } from '../kubelet/server/serving-cert.js';
import { overlayNetwork, parseBackend, startOverlay } from '../flannel/main.js';
import { defaultNodeIP } from '../kubelet/identity.js';
import { startNetworkPolicies } from '../netpol/main.js';
import { bootstrapAgent, writeAgentCredentials } from '../cluster/agent-bootstrap.js';
import {
  clusterKubeletConfig,
  loadKubeletConfig,
  parseDuration,
  type KubeletConfig,
} from '../kubelet/certs/kubelet-config.js';
import { clientCertManager, servingCertManager } from '../kubelet/certs/cert-manager.js';

const HELP = `Usage: k8ts agent --kubeconfig FILE [flags]

Flags:
  --kubeconfig FILE          How to reach the API server (or --server and --token)
  --server URL               Join the cluster at URL with --token (TLS bootstrap; cert in <data-dir>/agent/)
  --lb-server-port PORT      Port of the loopback load balancer over all servers that a joined agent talks
                             through (k3s's; default 0 = any free port, where k3s uses 6444)
  --token TOKEN              Agent join token K10<ca-hash>::<id>.<secret> (k8ts token create --join)
  --node-name NAME           Node name (default: the host name)
  --runtime sim|containerd   Container runtime (default: containerd when /usr/bin/containerd exists and we are root, else sim)
  --data-dir DIR             State directory (default /var/lib/k8ts as root, else ~/.k8ts)
  --control-plane            Register the node labelled node-role.kubernetes.io/control-plane (refused by
                             NodeRestriction for system:node users; k8ts server labels its own node)
  --node-label K=V,...       Extra node labels
  --node-taint K=V:EFFECT,...  Taints to register the node with
  --cluster-dns IP           Nameserver for pods' resolv.conf (default 10.43.0.10)
  --kubelet-port PORT        Port of the kubelet API (logs, exec, attach; default 10250, 0 = any free port)
  --node-ip IP               The node's InternalIP (default: the first non-loopback IPv4)
  --cluster-cidr CIDR        The pod network the overlay routes (default 10.42.0.0/16)
  --flannel-backend B        Pod network across nodes: vxlan, host-gw or none (default vxlan on containerd)
  --disable-network-policy   Do not enforce NetworkPolicies (they are, with iptables, on containerd)
  --network-policy-kubeconfig FILE  The network policy controller's own kubeconfig (k8ts server gives
                             it system:k3s-controller's); default: the kubelet's
  --allowed-unsafe-sysctls LIST  Unsafe sysctls (or prefixes ending in *) pods may set, comma-separated
  --config FILE              KubeletConfiguration (kubelet.config.k8s.io/v1beta1): serverTLSBootstrap,
                             rotateCertificates, clusterDNS, port, allowedUnsafeSysctls,
                             staticPodPath, fileCheckFrequency; flags win.
                             Without it: ConfigMap kube-system/kubelet-config (key kubelet), copied
                             to <data-dir>/agent/config.yaml
  --pod-manifest-path PATH   Static pod manifests (a directory or one file; as staticPodPath), read
                             again every fileCheckFrequency (default 20s); each runs with a mirror pod
  --file-check-frequency D   How often the static pod manifests are read again (e.g. 20s)
  --rotate-server-certificates[=true|false]  Request the kubelet's serving certificate from the
                             cluster CA by a kubelet-serving CSR (as serverTLSBootstrap: true)
  --rotate-certificates[=true|false]  Renew the client certificate of a joined agent before it
                             expires (as rotateCertificates: true)
  --log-level LEVEL          debug, info, warn or error (default info)
`;

/** Resolves when SIGTERM/SIGINT arrives or the parent `k8ts server` is gone, after `stop`. */
export function untilStopped(stop: () => void | Promise<void>): Promise<number> {
  return new Promise((done) => {
    let stopping = false;
    const finish = () => {
      if (stopping) return;
      stopping = true;
      Promise.resolve(stop()).then(
        () => done(0),
        () => done(1),
      );
    };
    process.once('SIGTERM', finish);
    process.once('SIGINT', finish);
    const parent = Number(process.env.K8TS_PARENT_PID ?? 0);
    if (parent) {
      const watchParent = setInterval(() => {
        if (process.ppid !== parent) finish();
      }, 1000);
      watchParent.unref();
    }
  });
}

export async function runAgent(args: string[]): Promise<number> {
  const { values } = parseArgs({
    // a bare boolean kubelet flag, as upstream's (k3s passes --kubelet-arg values as --k=v)
    args: args.map((a) =>
      a === '--rotate-server-certificates' || a === '--rotate-certificates' ? `${a}=true` : a,
    ),
    strict: true,
    options: {
      kubeconfig: { type: 'string' },
      server: { type: 'string' },
      'lb-server-port': { type: 'string', default: '0' },
      token: { type: 'string' },
      'node-name': { type: 'string' },
      runtime: { type: 'string' },
      'data-dir': { type: 'string' },
      'control-plane': { type: 'boolean', default: false },
      'node-label': { type: 'string', default: '' },
      'node-taint': { type: 'string', default: '' },
      'log-level': { type: 'string', default: 'info' },
      'cluster-dns': { type: 'string' },
      'kubelet-port': { type: 'string' },
      'node-ip': { type: 'string' },
      'cluster-cidr': { type: 'string', default: '10.42.0.0/16' },
      'flannel-backend': { type: 'string' },
      'disable-network-policy': { type: 'boolean', default: false },
      'network-policy-kubeconfig': { type: 'string' },
      'allowed-unsafe-sysctls': { type: 'string' },
      config: { type: 'string' },
      'pod-manifest-path': { type: 'string' },
      'file-check-frequency': { type: 'string' },
      'rotate-server-certificates': { type: 'string' },
      'rotate-certificates': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  setLogLevel(values['log-level']!);
  const log = logger('agent');
  // a bad flag fails before any bootstrap; the values are settled once the configuration is known
  const fileConfig = values.config ? loadKubeletConfig(resolve(values.config)) : undefined;
  kubeletSettings(values, fileConfig ?? NO_CONFIG);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const dataDir = resolve(values['data-dir'] ?? (isRoot ? '/var/lib/k8ts' : join(homedir(), '.k8ts')));
  let lb: AgentLoadBalancer | undefined;
  if (!values.kubeconfig && values.server) {
    if (!values.token) throw new Error('--server needs --token (k8ts token create --join)');
    const nodeName = nodeNameOf(values['node-name']);
    values.kubeconfig = await bootstrapAgent({
      server: values.server,
      token: values.token,
      nodeName,
      dataDir,
    });
    values['node-name'] = nodeName;
    lb = await startLoadBalancer(values.server, values['lb-server-port']!);
  }
  if (!values.kubeconfig) throw new Error('--kubeconfig (or --server and --token) is required');
  const asked = values.runtime ?? defaultRuntimeName();
  if (asked !== 'sim' && asked !== 'containerd')
    throw new Error(`invalid --runtime "${asked}": want sim or containerd`);
  const clientConfig = loadKubeconfig(values.kubeconfig, 'kubelet/v1.31.0 (linux/amd64) k8ts');
  if (lb) clientConfig.server = `https://127.0.0.1:${lb.port}`;
  // the fallback pod CIDR is only used until node IPAM sets spec.podCIDR
  const fallbackPodCIDR = '10.42.0.0/24';
  const client = new ThrottledClient(clientConfig);
  lb?.watchEndpoints(() => client.request('GET', '/api/v1/namespaces/default/endpoints/kubernetes'));
  // without --config, the cluster-wide KubeletConfiguration (OPS-08) and its local copy
  const config =
    fileConfig ??
    (await clusterKubeletConfig(client, join(dataDir, 'agent', 'config.yaml'), (m, f) => log.warn(m, f))) ??
    NO_CONFIG;
  const {
    kubeletPort,
    serverTLSBootstrap,
    rotateCertificates,
    clusterDNS,
    sysctls,
    staticPodPath,
    fileCheckFrequencyMs,
  } = kubeletSettings(values, config);
  // a joined agent's client certificate is its own to renew; the server issues its own agent's
  const joinedServer = values.server;
  const clientRotation =
    rotateCertificates && joinedServer && clientConfig.cert && clientConfig.key
      ? clientCertManager({
          client,
          nodeName: values['node-name']!,
          dataDir,
          initial: { certPem: clientConfig.cert, keyPem: clientConfig.key },
          onCertificate: (kc) => {
            client.setClientCertificate(kc.certPem, kc.keyPem);
            writeAgentCredentials({
              dataDir,
              server: joinedServer,
              ca: clientConfig.ca,
              cert: kc.certPem,
              key: kc.keyPem,
            });
          },
        })
      : undefined;
  if (rotateCertificates && !clientRotation)
    log.warn('rotateCertificates: only an agent that joined with --server renews its client certificate');
  clientRotation?.start();
  // the recorder needs the node name, known once the runtime answered its version
  const events: { recorder?: EventRecorder } = {};
  const host = new KubeletHost(client, { watchServices: asked === 'containerd' });
  // the overlay (src/flannel) carries real pods between nodes; simulated pods have no packets
  const backend = parseBackend(values['flannel-backend'] ?? (asked === 'containerd' ? 'vxlan' : 'none'));
  const nodeIP = values['node-ip'] ?? defaultNodeIP();
  const network =
    backend === 'none'
      ? undefined
      : await overlayNetwork(backend, nodeIP).catch((err: unknown) => {
          // e.g. --node-ip names no local interface: pods still run, on this node's network only
          log.warn('pod network overlay disabled', { error: String(err) });
          return undefined;
        });
  const { runtime, fallbackReason } = await createRuntime(
    asked as RuntimeName,
    {},
    {
      dataDir,
      podCIDR: fallbackPodCIDR,
      clusterDNS: [clusterDNS],
      network,
      caCert: clientConfig.ca ?? '',
      serviceEnv: (pod) =>
        serviceEnv(
          {
            namespace: pod.metadata.namespace ?? 'default',
            enableServiceLinks: (pod.spec as { enableServiceLinks?: boolean }).enableServiceLinks,
          },
          host.services(),
        ),
      recordEvent: (pod, fieldPath, type, reason, message) =>
        events.recorder?.event({ ...pod, fieldPath } as KubeObject, type, reason, message),
      getObject: async (resource, ns, name) => {
        try {
          const path =
            resource === 'persistentvolumes'
              ? `/api/v1/persistentvolumes/${name}`
              : `/api/v1/namespaces/${ns}/${resource}/${name}`;
          return await client.request<KubeObject>('GET', path);
        } catch (err) {
          if (err instanceof StatusError && err.code === 404) return undefined;
          throw err;
        }
      },
      requestToken: async (pod, sa, expirationSeconds) => {
        const ns = pod.metadata.namespace ?? 'default';
        const r = await client.request<{ status?: { token?: string } }>(
          'POST',
          `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`,
          {
            apiVersion: 'authentication.k8s.io/v1',
            kind: 'TokenRequest',
            spec: {
              expirationSeconds,
              boundObjectRef: {
                apiVersion: 'v1',
                kind: 'Pod',
                name: pod.metadata.name,
                uid: pod.metadata.uid,
              },
            },
          },
        );
        return r.status?.token ?? '';
      },
    },
  );
  if (fallbackReason) log.warn(fallbackReason, { asked });
  const identity = localIdentity({
    name: values['node-name'],
    dataDir,
    runtimeVersion: runtime.version,
    controlPlane: values['control-plane']!,
  });
  Object.assign(identity.labels, parseLabels(values['node-label']!));
  identity.taints = parseTaints(values['node-taint']!);
  identity.internalIP = nodeIP;

  const recorder = new EventRecorder(client, 'kubelet', identity.name);
  events.recorder = recorder;
  const kubeletServer = await startKubeletServer(
    host,
    client,
    runtime,
    identity,
    dataDir,
    kubeletPort,
    clientConfig.ca,
    serverTLSBootstrap,
  );
  host.add({ identity, runtime, fallbackPodCIDR, recorder, sysctls, staticPodPath, fileCheckFrequencyMs });
  await host.start();
  log.info('agent started', { node: identity.name, runtime: runtime.name });
  const overlay =
    network && backend !== 'none' && runtime.name === 'containerd'
      ? await startOverlay({
          client,
          nodeName: identity.name,
          nodeIP,
          clusterCIDR: values['cluster-cidr']!,
          backend,
        })
      : undefined;
  const netpolKubeconfig = values['network-policy-kubeconfig'];
  const netpolConfig =
    runtime.name === 'containerd' && !values['disable-network-policy'] && netpolKubeconfig
      ? loadKubeconfig(netpolKubeconfig, 'k3s-network-policy-controller/v1.31.0 (k8ts)')
      : undefined;
  // a joined agent's controller goes through the same loopback load balancer as its kubelet
  if (netpolConfig && lb) netpolConfig.server = clientConfig.server;
  const netpolClient = netpolConfig ? new RestClient(netpolConfig) : undefined;
  const netpol =
    runtime.name === 'containerd' && !values['disable-network-policy']
      ? await startNetworkPolicies(netpolClient ?? client, identity.name)
      : undefined;
  return untilStopped(async () => {
    clientRotation?.stop();
    kubeletServer?.stop();
    lb?.close();
    netpol?.stop();
    netpolClient?.close();
    overlay?.stop();
    host.stop();
    client.close();
    if (runtime instanceof ContainerdRuntime) await runtime.whenDisposed();
  });
}

const NO_CONFIG: KubeletConfig = { serverTLSBootstrap: false, rotateCertificates: false };

type SettingFlags = Partial<
  Record<
    | 'kubelet-port'
    | 'rotate-server-certificates'
    | 'rotate-certificates'
    | 'cluster-dns'
    | 'allowed-unsafe-sysctls'
    | 'pod-manifest-path'
    | 'file-check-frequency',
    string
  >
>;

/** The kubelet's settings: a flag wins over the configuration file, which wins over the default. */
function kubeletSettings(values: SettingFlags, config: KubeletConfig) {
  const portFlag = values['kubelet-port'] ?? String(config.port ?? 10250);
  const kubeletPort = Number(portFlag);
  if (!/^\d+$/.test(portFlag) || kubeletPort > 65535) throw new Error(`invalid --kubelet-port "${portFlag}"`);
  const boolFlag = (flag: 'rotate-server-certificates' | 'rotate-certificates', fallback: boolean) => {
    const v = values[flag];
    if (v === undefined) return fallback;
    if (v !== 'true' && v !== 'false') throw new Error(`invalid argument "${v}" for "--${flag}" flag`);
    return v === 'true';
  };
  const frequency = values['file-check-frequency'];
  const frequencyMs = frequency === undefined ? config.fileCheckFrequencyMs : parseDuration(frequency);
  if (frequencyMs === undefined && frequency !== undefined)
    throw new Error(`invalid argument "${frequency}" for "--file-check-frequency" flag`);
  const manifests = values['pod-manifest-path'];
  return {
    staticPodPath: manifests ? resolve(manifests) : config.staticPodPath,
    fileCheckFrequencyMs: frequencyMs,
    kubeletPort,
    serverTLSBootstrap: boolFlag('rotate-server-certificates', config.serverTLSBootstrap),
    rotateCertificates: boolFlag('rotate-certificates', config.rotateCertificates),
    clusterDNS: values['cluster-dns'] ?? config.clusterDNS?.[0] ?? '10.43.0.10',
    sysctls: new SysctlAllowlist(
      values['allowed-unsafe-sysctls'] !== undefined
        ? values['allowed-unsafe-sysctls'].split(',').filter(Boolean)
        : (config.allowedUnsafeSysctls ?? []),
    ),
  };
}

/**
 * The kubelet API on `port` (logs, exec, attach for the API server). A port in use is logged
 * and the node advertises port 0, so that the API server's answer names the problem.
 */
async function startKubeletServer(
  host: KubeletHost,
  client: ThrottledClient,
  runtime: PodRuntime,
  identity: NodeIdentity,
  dataDir: string,
  port: number,
  clusterCA: string | undefined,
  serverTLSBootstrap: boolean,
): Promise<{ stop(): void } | undefined> {
  const manager = serverTLSBootstrap
    ? servingCertManager({
        client,
        nodeName: identity.name,
        // the addresses the node reports (node-status.ts), which upstream's request names
        addresses: [
          { type: 'InternalIP', address: identity.internalIP },
          { type: 'Hostname', address: identity.name },
        ],
        dataDir,
        onCertificate: (kc) => server.setCertificate(kc),
      })
    : undefined;
  // until a kubelet-serving certificate is issued, the self-signed one serves
  const cert =
    manager?.loadCurrent() ??
    (await ensureKubeletServingCert(dataDir, identity.name, [identity.internalIP, '127.0.0.1']));
  const server = new KubeletServer(
    {
      nodeName: identity.name,
      runtime,
      pod: (ns, name) => host.podOf(identity.name, ns, name),
      pods: () => host.podsOf(identity.name),
    },
    { port, certPem: cert.certPem, keyPem: cert.keyPem, clientCAPem: clusterCA ?? '', client },
  );
  try {
    identity.kubeletPort = await server.listen();
    manager?.start();
    return {
      stop: () => {
        manager?.stop();
        server.close();
      },
    };
  } catch (err) {
    logger('agent').error('the kubelet API could not listen', { port, error: String(err) });
    identity.kubeletPort = 0;
    return undefined;
  }
}

/** The loopback proxy over every API server that a joined agent's clients talk to (agent-lb.ts). */
async function startLoadBalancer(server: string, portFlag: string): Promise<AgentLoadBalancer> {
  const port = Number(portFlag);
  if (!/^\d+$/.test(portFlag) || port > 65535) throw new Error(`invalid --lb-server-port "${portFlag}"`);
  const url = new URL(server);
  const lb = new AgentLoadBalancer({
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || 443),
  });
  await lb.listen(port);
  return lb;
}
