// Pods on different nodes reach each other: a server and two agents, each agent in its own
// network namespace with its own containerd and kube-proxy, joined by flannel-style VXLAN
// (src/flannel). Pods talk by pod IP and through a ClusterIP Service; the Node objects carry
// flannel's annotations and each node's flannel.1 the matching routes, ARP and FDB entries.
// Needs root, containerd, runc, the CNI plugins and iproute2: runs only with K8TS_E2E=1.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CriClient } from '../../src/cri/client.js';
import { containerdPaths } from '../../src/kubelet/containerd/config.js';
import { ROOT } from '../integration/harness.js';
import { startCluster, stopCluster, type Cluster } from './multi-node-cluster.js';
import { until } from './until.js';

const enabled = process.env.K8TS_E2E === '1';
const CLUSTER_CIDR = '10.247.0.0/16';

const web = (name: string, node: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: { app: web }
spec:
  nodeName: ${node}
  containers:
  - name: httpd
    image: busybox
    imagePullPolicy: IfNotPresent
    ports: [{ name: http, containerPort: 8080 }]
    command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && dd if=/dev/zero of=/www/big bs=1M count=64 2>/dev/null && exec httpd -f -p 8080 -h /www"]
`;

const END = 'END-OF-PROBE';

/**
 * A pod that runs `script` once, prints END-OF-PROBE and stays (the API server does not serve
 * pods/log yet, so the test reads the container's CRI log file on its node while it exists).
 */
const probe = (name: string, node: string, script: string, labels: Record<string, string> = {}) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: {
      nodeName: node,
      restartPolicy: 'Never',
      containers: [
        {
          name: 'probe',
          image: 'busybox',
          imagePullPolicy: 'IfNotPresent',
          command: ['sh', '-c', `${script}\necho ${END}; exec sleep 3600`],
        },
      ],
    },
  });

/** The lines of a CRI log file (`<time> stdout F <line>`). */
function criLogLines(text: string): string {
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ').slice(3).join(' '))
    .join('\n');
}

export { probe, until, criLogLines, END };

describe('multi-node pod network (flannel VXLAN)', { skip: !enabled && 'set K8TS_E2E=1' }, () => {
  let c: Cluster;
  const figures: Record<string, string> = {};
  const kubectl = (args: string[], input?: string) => c.server.kubectl(args, input);
  const jsonpath = async (args: string[], path: string) =>
    (await kubectl([...args, '-o', `jsonpath=${path}`])).stdout;

  /** Runs a probe pod to completion, answers its log. */
  async function runProbe(name: string, node: string, script: string, labels: Record<string, string> = {}) {
    const r = await kubectl(['apply', '-f', '-'], probe(name, node, script, labels));
    assert.equal(r.code, 0, r.stderr);
    const uid = await until(
      `${name} uid`,
      async () => (await jsonpath(['get', 'pod', name], '{.metadata.uid}')) || undefined,
    );
    const dataDir = c.nodes.find((n) => n.name === node)!.dataDir;
    const file = join(dataDir, 'agent', 'pods', uid, 'logs', 'probe', '0.log');
    let text = '';
    await until(`${name} to finish`, async () => {
      try {
        text = criLogLines(readFileSync(file, 'utf8'));
      } catch {
        return undefined; // not started yet
      }
      return text.includes(END) ? text : undefined;
    }).catch(() => undefined);
    return text; // what it printed so far, if it did not finish
  }

  before(async () => {
    const t0 = Date.now();
    c = await startCluster({ nodes: 2, clusterCIDR: CLUSTER_CIDR, tag: 'overlay-e2e' });
    await until(
      'both nodes Ready',
      async () => {
        const r = await kubectl(['get', 'nodes', '--no-headers']);
        return (r.stdout.match(/ Ready /g) ?? []).length === 2 ? r.stdout : undefined;
      },
      180_000,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${c.nodes.map((n) => n.log()).join('\n')}`);
    });
    figures['2 agents started → both nodes Ready'] = `${Date.now() - t0} ms`;
  });

  after(async () => {
    if (!c) return;
    // the agents' logs, for a failed run (kubectl does not reach them)
    for (const n of c.nodes) writeFileSync(`/tmp/overlay-e2e-${n.name}.log`, n.log());
    const overlayMs = c.nodes.flatMap((n) =>
      [...n.log().matchAll(/"msg":"overlay synced".*?"ms":([\d.]+)/g)].map((m) => Number(m[1])),
    );
    figures['overlay syncs that changed entries (ms)'] = overlayMs.join(', ');
    console.log('figures', figures);
    let cleanupError: unknown;
    try {
      // the Deployment first, or its ReplicaSet makes new pods while we wait
      await kubectl(['delete', 'deployment', '--all', '--wait=true', '--timeout=60s']);
      await kubectl(['delete', 'pod', '--all', '--grace-period=1', '--wait=true', '--timeout=90s']);
      for (const n of c.nodes) {
        const cri = new CriClient(containerdPaths(n.dataDir).socket);
        try {
          await until(
            'every sandbox removed',
            async () => ((await cri.listPodSandbox()).length ? undefined : true),
            60_000,
          );
        } finally {
          cri.close();
        }
      }
    } finally {
      // `k8ts flannel --cleanup` on a stopped node leaves none of the overlay behind
      await stopCluster(c, () => {
        try {
          const n1 = c.nodes[0];
          const out = c.inNode(n1, join(ROOT, 'bin', 'k8ts'), [
            'flannel',
            '--cleanup',
            '--cluster-cidr',
            CLUSTER_CIDR,
          ]);
          assert.match(out, /^removed link flannel\.1$/m);
          assert.doesNotMatch(c.inNode(n1, 'ip', ['link', 'show']), /flannel\.1/);
          assert.doesNotMatch(c.inNode(n1, 'iptables-save', []), /FLANNEL/);
        } catch (err) {
          cleanupError = err;
        }
      });
    }
    if (cleanupError) throw cleanupError;
  });

  it('publishes each node VTEP as flannel does and programs flannel.1 for the other node', async () => {
    const [n1, n2] = c.nodes;
    const ann = async (node: string, key: string) =>
      jsonpath(['get', 'node', node], `{.metadata.annotations.flannel\\.alpha\\.coreos\\.com/${key}}`);
    const t0 = Date.now();
    const data2 = await until(
      'ovl-n2 backend-data',
      async () => (await ann(n2.name, 'backend-data')) || undefined,
    );
    const mac2 = (
      JSON.parse(c.inNode(n2, 'ip', ['-j', 'link', 'show', 'flannel.1'])) as { address: string }[]
    )[0].address;
    assert.deepEqual(JSON.parse(data2), { VNIVersion: 1, VtepMAC: mac2 });
    assert.equal(await ann(n2.name, 'backend-type'), 'vxlan');
    assert.equal(await ann(n2.name, 'public-ip'), n2.ip);
    assert.equal(await ann(n2.name, 'kube-subnet-manager'), 'true');

    const cidr2 = await jsonpath(['get', 'node', n2.name], '{.spec.podCIDR}');
    const gw2 = cidr2.split('/')[0];
    const route = await until('n1 to route n2 podCIDR', async () => {
      const r = c.inNode(n1, 'ip', ['route', 'show']);
      return r.includes(cidr2) ? r : undefined;
    });
    figures['node annotated → route on the other node'] = `${Date.now() - t0} ms`;
    assert.match(
      route,
      new RegExp(
        `^${cidr2.replace(/\./g, '\\.')} via ${gw2.replace(/\./g, '\\.')} dev flannel\\.1 onlink`,
        'm',
      ),
    );
    assert.match(
      c.inNode(n1, 'ip', ['neigh', 'show', 'dev', 'flannel.1']),
      new RegExp(`^${gw2} lladdr ${mac2} PERMANENT`, 'm'),
    );
    assert.match(
      c.inNode(n1, 'bridge', ['fdb', 'show', 'dev', 'flannel.1']),
      new RegExp(`^${mac2} dst ${n2.ip} self permanent`, 'm'),
    );
    const link = c.inNode(n1, 'ip', ['-d', 'link', 'show', 'flannel.1']);
    assert.match(link, /mtu 1450 /);
    assert.match(link, /vxlan id 1 local 10\.77\.0\.11 dev eth0 srcport 0 0 dstport 8472 nolearning/);
    assert.match(c.inNode(n1, 'iptables', ['-t', 'nat', '-S', 'POSTROUTING']), /-j FLANNEL-POSTRTG/);
  });

  it('adds and removes the entries of a node that comes and goes', async () => {
    const [n1] = c.nodes;
    const ghost = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: 'ghost',
        annotations: {
          'flannel.alpha.coreos.com/backend-type': 'vxlan',
          'flannel.alpha.coreos.com/backend-data': '{"VNIVersion":1,"VtepMAC":"02:00:00:00:00:99"}',
          'flannel.alpha.coreos.com/public-ip': '10.77.0.99',
        },
      },
      spec: { podCIDR: '10.247.99.0/24' },
    };
    assert.equal((await kubectl(['create', '-f', '-'], JSON.stringify(ghost))).code, 0);
    await until('ghost entries on n1', async () =>
      /02:00:00:00:00:99 dst 10\.77\.0\.99/.test(
        c.inNode(n1, 'bridge', ['fdb', 'show', 'dev', 'flannel.1']),
      ) &&
      c.inNode(n1, 'ip', ['route', 'show', 'dev', 'flannel.1']).includes('10.247.99.0/24 via 10.247.99.0')
        ? true
        : undefined,
    );
    const t0 = Date.now();
    assert.equal((await kubectl(['delete', 'node', 'ghost'])).code, 0);
    await until('ghost entries gone', async () =>
      !c.inNode(n1, 'bridge', ['fdb', 'show', 'dev', 'flannel.1']).includes('02:00:00:00:00:99') &&
      !c.inNode(n1, 'ip', ['route', 'show', 'dev', 'flannel.1']).includes('10.247.99.0') &&
      !c.inNode(n1, 'ip', ['neigh', 'show', 'dev', 'flannel.1']).includes('10.247.99.0')
        ? true
        : undefined,
    );
    figures['node deleted → its route, ARP and FDB entries gone'] = `${Date.now() - t0} ms`;
  });

  it('pods on different nodes reach each other by pod IP and through a ClusterIP Service', async () => {
    const [n1, n2] = c.nodes;
    const t0 = Date.now();
    for (const [name, node] of [
      ['web-1', n1.name],
      ['web-2', n2.name],
    ])
      assert.equal((await kubectl(['apply', '-f', '-'], web(name, node))).code, 0);
    assert.equal(
      (
        await kubectl([
          'expose',
          'pod',
          'web-2',
          '--name',
          'web',
          '--port',
          '80',
          '--target-port',
          '8080',
          '--selector',
          'app=web',
        ])
      ).code,
      0,
    );
    for (const p of ['web-1', 'web-2'])
      await until(`${p} Running`, async () =>
        (await jsonpath(['get', 'pod', p], '{.status.phase}')) === 'Running' ? true : undefined,
      );
    figures['2 web pods on 2 nodes → Running'] = `${Date.now() - t0} ms`;
    const ip1 = await jsonpath(['get', 'pod', 'web-1'], '{.status.podIP}');
    const ip2 = await jsonpath(['get', 'pod', 'web-2'], '{.status.podIP}');
    const svc = await jsonpath(['get', 'svc', 'web'], '{.spec.clusterIP}');
    assert.notEqual(ip1.split('.')[2], ip2.split('.')[2], 'pods are in different node podCIDRs');
    await until('web endpoints', async () =>
      (await jsonpath(['get', 'endpoints', 'web'], '{.subsets[0].addresses[*].ip}')).split(' ').length === 2
        ? true
        : undefined,
    );

    const script = `
      ping -c 20 -i 0.2 ${ip2} | tail -1
      echo "direct: $(timeout 5 wget -qO- http://${ip2}:8080/)"
      for i in $(seq 1 30); do echo "svc: $(timeout 5 wget -qO- http://${svc}/)"; done
      s=$(cut -d' ' -f1 /proc/uptime); timeout 60 wget -qO /dev/null http://${ip2}:8080/big; echo "big: $? $s $(cut -d' ' -f1 /proc/uptime)"
      s=$(cut -d' ' -f1 /proc/uptime); for i in $(seq 1 50); do timeout 5 wget -qO /dev/null http://${ip2}:8080/; done; echo "50gets: $s $(cut -d' ' -f1 /proc/uptime)"
    `;
    const out = await runProbe('probe-1', n1.name, script);
    assert.match(out, /^direct: web-2$/m, out);
    const rtt = /round-trip min\/avg\/max = ([\d.]+)\/([\d.]+)\/([\d.]+) ms/.exec(out);
    assert.ok(rtt, `ping across nodes answered:\n${out}`);
    figures['ping pod n1 → pod n2 (20 × 56 B) min/avg/max'] = `${rtt[1]}/${rtt[2]}/${rtt[3]} ms`;
    const answers = new Set([...out.matchAll(/^svc: (.*)$/gm)].map((m) => m[1]));
    assert.deepEqual(
      [...answers].sort(),
      ['web-1', 'web-2'],
      `the ClusterIP reaches both nodes' pods:\n${out}`,
    );
    const big = /^big: 0 ([\d.]+) ([\d.]+)$/m.exec(out);
    assert.ok(big, `64 MiB download across nodes:\n${out}`);
    const secs = Number(big[2]) - Number(big[1]);
    figures['wget 64 MiB pod n1 → pod n2'] =
      `${secs.toFixed(2)} s (${(64 / Math.max(secs, 0.01)).toFixed(0)} MiB/s)`;
    const gets = /^50gets: ([\d.]+) ([\d.]+)$/m.exec(out)!;
    figures['50 sequential wget (new TCP connection each) pod n1 → pod n2'] =
      `${(((Number(gets[2]) - Number(gets[1])) * 1000) / 50).toFixed(1)} ms each`;

    // the other direction, from node 2 to node 1's pod
    const back = await runProbe(
      'probe-2',
      n2.name,
      `echo "direct: $(timeout 5 wget -qO- http://${ip1}:8080/)"`,
    );
    assert.match(back, /^direct: web-1$/m, back);
  });
  it('seed 004 §3.12: NetworkPolicy access-nginx admits only pods labelled access=true, on every node', async () => {
    const [n1, n2] = c.nodes;
    assert.equal(
      (await kubectl(['create', 'deployment', 'nginx', '--image=nginx', '--replicas=2'])).stdout,
      'deployment.apps/nginx created\n',
    );
    assert.equal(
      (await kubectl(['expose', 'deployment', 'nginx', '--port=80'])).stdout,
      'service/nginx exposed\n',
    );
    await until('2 nginx endpoints', async () =>
      (await jsonpath(['get', 'endpoints', 'nginx'], '{.subsets[0].addresses[*].ip}'))
        .split(' ')
        .filter(Boolean).length === 2
        ? true
        : undefined,
    );
    const svc = await jsonpath(['get', 'svc', 'nginx'], '{.spec.clusterIP}');
    // the seed's command (004 §3.12): `wget --spider --timeout=1 nginx`, here by the Service's IP;
    // /usr/bin/wget by path, since a non-interactive busybox sh runs its own applet (no -T)
    const tries = `sleep 3; for i in 1 2 3 4; do /usr/bin/wget --spider --timeout=1 http://${svc}/ 2>&1; echo "rc=$?"; done`;
    const open = await runProbe('open-1', n1.name, tries);
    assert.equal((open.match(/^remote file exists$/gm) ?? []).length, 4, open);

    const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: access-nginx
spec:
  podSelector:
    matchLabels:
      app: nginx
  ingress:
  - from:
    - podSelector:
        matchLabels:
          access: "true"
`;
    const applied = await kubectl(['apply', '-f', '-'], policy);
    assert.equal(applied.stdout, 'networkpolicy.networking.k8s.io/access-nginx created\n');
    for (const node of [n1, n2]) {
      const denied = await runProbe(`deny-${node.name}`, node.name, tries);
      assert.equal(
        (denied.match(new RegExp(`^Connecting to ${svc} \\(${svc}:80\\)$`, 'gm')) ?? []).length,
        4,
        denied,
      );
      assert.doesNotMatch(denied, /remote file exists/, denied);
      assert.equal(
        (denied.match(/^wget: download timed out\nrc=1$/gm) ?? []).length,
        4,
        `every try timed out:\n${denied}`,
      );
      const allowed = await runProbe(`allow-${node.name}`, node.name, tries, { access: 'true' });
      assert.equal((allowed.match(/^remote file exists$/gm) ?? []).length, 4, allowed);
    }
    const syncMs = c.nodes.flatMap((n) =>
      [...n.log().matchAll(/"msg":"network policies synced".*?"ms":([\d.]+)/g)].map((m) => Number(m[1])),
    );
    syncMs.sort((a, b) => a - b);
    figures['network policy sync (one iptables-restore), median / max'] =
      `${syncMs[Math.floor(syncMs.length / 2)]} / ${syncMs[syncMs.length - 1]} ms over ${syncMs.length} syncs`;
  });
});
