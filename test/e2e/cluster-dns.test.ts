// The cluster DNS end to end (seed 003 §5, 004 §2.1.2): `k8ts server --runtime containerd`
// deploys the coredns add-on, kube-dns gets its endpoint, kube-proxy sends 10.43.0.10:53 to
// it, and a busybox pod resolves cluster names and reaches a Service by name. Commands run in
// the pod's container through containerd (ctr task exec), as `kubectl exec` would.
// Prints: server start → coredns Ready, and DNS latency through the Service (p50/p99).
// Needs root, containerd, runc and the CNI plugins: runs only with K8TS_E2E=1, inside a
// network namespace (/work/netns-run.sh NAME node --test ...).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { CriClient } from '../../src/cri/client.js';
import { containerdPaths } from '../../src/kubelet/containerd/config.js';
import { parseResolvConf } from '../../src/kubelet/runtime/dns-config.js';
import { startServer, type TestServer } from '../integration/harness.js';
import { stopContainerdServer } from './containerd-server.js';
import { until } from './until.js';

const enabled = process.env.K8TS_E2E === '1';
const NS = 'dns-e2e';

const APP = `apiVersion: apps/v1
kind: Deployment
metadata: {name: simple-app-dep, labels: {app: simple-app}}
spec:
  replicas: 2
  selector: {matchLabels: {app: simple-app}}
  template:
    metadata: {labels: {app: simple-app}}
    spec:
      containers:
      - name: simple-app
        image: busybox
        imagePullPolicy: IfNotPresent
        command: ["sh", "-c", "mkdir -p /www && echo 'Hello World v1' > /www/index.html && httpd -f -p 8080 -h /www"]
        ports: [{containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: simple-app-svc}
spec:
  ports: [{port: 8080, targetPort: 8080}]
  selector: {app: simple-app}
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  containers:
  - {name: client, image: busybox, imagePullPolicy: IfNotPresent, command: [sleep, "3600"]}
---
apiVersion: v1
kind: Pod
metadata: {name: old-busybox}
spec:
  containers:
  - {name: c, image: "busybox:1.28", imagePullPolicy: IfNotPresent, command: [sleep, "3600"]}
---
apiVersion: v1
kind: Pod
metadata: {name: node-dns}
spec:
  dnsPolicy: Default
  containers:
  - {name: c, image: busybox, imagePullPolicy: IfNotPresent, command: [sleep, "3600"]}
---
apiVersion: v1
kind: Pod
metadata: {name: own-dns}
spec:
  dnsPolicy: None
  dnsConfig:
    nameservers: [10.43.0.10]
    searches: [my.dns.search.suffix]
    options: [{name: ndots, value: "2"}, {name: edns0}]
  containers:
  - {name: c, image: busybox, imagePullPolicy: IfNotPresent, command: [sleep, "3600"]}
`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

describe('cluster DNS on containerd (the coredns add-on)', { skip: !enabled && 'set K8TS_E2E=1' }, () => {
  let s: TestServer;
  let cri: CriClient;
  const figures: Record<string, string> = {};

  /** Runs a command in a pod's container through containerd, as kubectl exec does. */
  const exec = async (pod: string, cmd: string[]): Promise<{ code: number; out: string }> => {
    const [c] = await cri.listContainers({
      label_selector: { 'io.kubernetes.pod.name': pod, 'io.kubernetes.pod.namespace': NS },
      state: { state: 'CONTAINER_RUNNING' },
    });
    if (!c) throw new Error(`no running container in pod ${pod}`);
    const args = ['-a', containerdPaths(s.dataDir).socket, '-n', 'k8s.io', 'task', 'exec'];
    args.push('--exec-id', `e2e-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`, c.id, ...cmd);
    return new Promise((resolve) => {
      execFile('ctr', args, { timeout: 20_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
      );
    });
  };

  before(async () => {
    const t0 = Date.now();
    // pods reach the API server through the kubernetes Service, so it must listen beyond
    // loopback (the harness binds 127.0.0.1; the network namespace keeps 0.0.0.0 private)
    s = await startServer([
      '--enable-agent',
      '--enable-coredns',
      '--runtime',
      'containerd',
      '--cluster-cidr',
      '10.247.0.0/16',
      '--bind-address',
      '0.0.0.0',
    ]);
    cri = new CriClient(containerdPaths(s.dataDir).socket);
    await until('coredns 1/1 Running', async () => {
      const r = await s.kubectl([
        'get',
        'pods',
        '-n',
        'kube-system',
        '-l',
        'k8s-app=kube-dns',
        '--no-headers',
      ]);
      return /^coredns-[a-z0-9]+-[a-z0-9]+\s+1\/1\s+Running\s/.test(r.stdout) ? r.stdout : undefined;
    });
    figures['server start → coredns 1/1 Running'] = `${Date.now() - t0} ms`;
    assert.equal((await s.kubectl(['create', 'namespace', NS])).code, 0);
    await until('the default ServiceAccount', async () =>
      (await s.kubectl(['get', 'serviceaccount', 'default', '-n', NS])).code === 0 ? true : undefined,
    );
    const apply = await s.kubectl(['apply', '-n', NS, '-f', '-'], APP);
    assert.equal(apply.code, 0, apply.stderr);
  });

  after(async () => {
    if (!s) return;
    try {
      // pods outlive the agent: remove every sandbox before stopping
      await s.kubectl(['delete', 'deployment', 'coredns', '-n', 'kube-system', '--wait=false']);
      await s.kubectl(['delete', 'namespace', NS, '--wait=false']);
      await s.kubectl(['delete', 'pods', '--all', '-A', '--grace-period=1', '--wait=true', '--timeout=60s']);
      await until(
        'every sandbox removed',
        async () => ((await cri.listPodSandbox()).length === 0 ? true : undefined),
        60_000,
      );
      cri.close();
    } finally {
      console.log('figures', figures);
      await stopContainerdServer(s);
    }
  });

  it('runs coredns in kube-system as a Deployment and publishes it as the kube-dns endpoints', async () => {
    const d = await s.kubectl(['get', 'deployment', '-n', 'kube-system', 'coredns', '--no-headers']);
    assert.match(d.stdout, /^coredns\s+1\/1\s+1\s+1\s/);
    const podIP = (
      await s.kubectl([
        'get',
        'pods',
        '-n',
        'kube-system',
        '-l',
        'k8s-app=kube-dns',
        '-o',
        'jsonpath={.items[0].status.podIP}',
      ])
    ).stdout;
    const ep = await until('kube-dns endpoints', async () => {
      const r = await s.kubectl(['get', 'endpoints', '-n', 'kube-system', 'kube-dns', '--no-headers']);
      return r.stdout.includes(`${podIP}:53`) ? r.stdout : undefined;
    });
    assert.match(
      ep,
      new RegExp(
        `${podIP.replace(/\./g, '\\.')}:53,${podIP.replace(/\./g, '\\.')}:53,${podIP.replace(/\./g, '\\.')}:9153`,
      ),
    );
    const svc = await s.kubectl(['get', 'svc', '-n', 'kube-system', 'kube-dns', '--no-headers']);
    assert.match(svc.stdout, /^kube-dns\s+ClusterIP\s+10\.43\.0\.10\s+<none>\s+53\/UDP,53\/TCP,9153\/TCP\s/);
  });

  it('writes the pod resolv.conf the kubelet owes each dnsPolicy', async () => {
    await until('client running', async () =>
      (await exec('client', ['true'])).code === 0 ? true : undefined,
    );
    const client = await exec('client', ['cat', '/etc/resolv.conf']);
    assert.equal(
      client.out.trim(),
      `search ${NS}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.43.0.10\noptions ndots:5`,
    );
    await until('node-dns running', async () =>
      (await exec('node-dns', ['true'])).code === 0 ? true : undefined,
    );
    const node = parseResolvConf((await exec('node-dns', ['cat', '/etc/resolv.conf'])).out);
    assert.deepEqual(node.servers, parseResolvConf(readFileSync('/etc/resolv.conf', 'utf8')).servers);
    await until('own-dns running', async () =>
      (await exec('own-dns', ['true'])).code === 0 ? true : undefined,
    );
    const own = await exec('own-dns', ['cat', '/etc/resolv.conf']);
    assert.equal(own.out.trim(), 'search my.dns.search.suffix\nnameserver 10.43.0.10\noptions ndots:2 edns0');
    const env = await exec('client', ['env']);
    assert.match(env.out, /^KUBERNETES_SERVICE_HOST=10\.43\.0\.1$/m);
  });

  it('resolves kubernetes.default and a Service name from a pod, and reaches the Service by name', async () => {
    await until('2 simple-app endpoints', async () => {
      const r = await s.kubectl(['get', 'endpoints', '-n', NS, 'simple-app-svc', '--no-headers']);
      return /([0-9.]+:8080,?){2}/.test(r.stdout) ? r.stdout : undefined;
    });
    const k = await exec('client', ['nslookup', 'kubernetes.default.svc.cluster.local']);
    assert.match(k.out, /Name:\s+kubernetes\.default\.svc\.cluster\.local\nAddress: 10\.43\.0\.1\n/);
    const short = await exec('client', ['nslookup', 'simple-app-svc']);
    assert.match(
      short.out,
      new RegExp(`Name:\\s+simple-app-svc\\.${NS}\\.svc\\.cluster\\.local\\nAddress: 10\\.43\\.`),
    );
    for (const name of [
      'simple-app-svc:8080',
      `simple-app-svc.${NS}:8080`,
      `simple-app-svc.${NS}.svc.cluster.local:8080`,
    ]) {
      const page = await until(
        `wget ${name}`,
        async () => {
          const r = await exec('client', ['timeout', '5', 'wget', '-qO-', name]);
          return r.code === 0 ? r.out : undefined;
        },
        30_000,
      );
      assert.equal(page, 'Hello World v1\n');
    }
    const missing = await exec('client', ['nslookup', 'no-such-svc.default.svc.cluster.local']);
    assert.match(missing.out, /NXDOMAIN/);
  });

  it('busybox:1.28 answers nslookup and wget --timeout as the seed documents show them', async () => {
    await until('old-busybox running', async () =>
      (await exec('old-busybox', ['true'])).code === 0 ? true : undefined,
    );
    // seed 004 §2.1.2 (NET-11): busybox 1.28's format, every address with its PTR name
    const k = await exec('old-busybox', ['nslookup', 'kubernetes.default']);
    assert.equal(
      k.out,
      'Server:    10.43.0.10\nAddress 1: 10.43.0.10 kube-dns.kube-system.svc.cluster.local\n\n' +
        'Name:      kubernetes.default\nAddress 1: 10.43.0.1 kubernetes.default.svc.cluster.local\n',
    );
    assert.equal(k.code, 0);
    const svcIP = (
      await s.kubectl(['get', 'svc', '-n', NS, 'simple-app-svc', '-o', 'jsonpath={.spec.clusterIP}'])
    ).stdout;
    const short = await exec('old-busybox', ['nslookup', 'simple-app-svc']);
    assert.match(
      short.out,
      new RegExp(
        `\\nName:      simple-app-svc\\nAddress 1: ${svcIP} simple-app-svc\\.${NS}\\.svc\\.cluster\\.local\\n$`,
      ),
    );
    const missing = await exec('old-busybox', ['nslookup', 'no-such-svc']);
    assert.match(missing.out, /^nslookup: can't resolve 'no-such-svc'$/m);
    assert.notEqual(missing.code, 0);
    // seed 004 §3.12 (NET-29): `wget --spider --timeout=1 <service>`
    const spider = await until('wget --spider', async () => {
      // in an interactive sh, as the seed types it (-i: sh reads $ENV, as on a terminal)
      const r = await exec('old-busybox', [
        'sh',
        '-i',
        '-c',
        'wget --spider --timeout=1 simple-app-svc:8080',
      ]);
      return r.code === 0 ? r.out : undefined;
    });
    assert.match(
      spider,
      new RegExp(
        `^Connecting to simple-app-svc:8080 \\(${svcIP.replace(/\./g, '\\.')}:8080\\)\\nremote file exists$`,
        'm',
      ),
    );
  });

  it('answers through the kube-dns Service from the node (latency figures)', async () => {
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers(['10.43.0.10']);
    assert.deepEqual(await resolver.resolve4('kubernetes.default.svc.cluster.local'), ['10.43.0.1']);
    const times: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t = performance.now();
      await resolver.resolve4(
        i % 2 ? 'kubernetes.default.svc.cluster.local' : `simple-app-svc.${NS}.svc.cluster.local`,
      );
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    figures['DNS via 10.43.0.10, 2000 sequential A queries: p50'] = `${percentile(times, 50).toFixed(2)} ms`;
    figures['DNS via 10.43.0.10: p99'] = `${percentile(times, 99).toFixed(2)} ms`;
  });
});
