// `k8ts proxy` programming real iptables in a network namespace of its own: a ClusterIP
// reaches its endpoint (an HTTP server in the namespace), a service without endpoints is
// refused at once, and a deleted service's chains go away. Needs root, iproute2 and iptables.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { cleanup, ROOT, startServer, type TestServer } from './harness.js';

const usable =
  process.getuid?.() === 0 &&
  spawnSync('ip', ['-V']).status === 0 &&
  spawnSync('iptables-restore', ['--version']).status === 0;

const NS = `k8ts-proxy-${process.pid}`;
const inNs = (...cmd: string[]) => execFileSync('ip', ['netns', 'exec', NS, ...cmd], { encoding: 'utf8' });
const curl = (url: string) =>
  spawnSync('ip', ['netns', 'exec', NS, 'curl', '-s', '--max-time', '2', url], { encoding: 'utf8' });

async function until<T>(what: string, f: () => T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe(
  'kube-proxy (iptables) in a network namespace',
  { skip: !usable && 'needs root, ip and iptables' },
  () => {
    let s: TestServer;
    let proxy: ChildProcess;
    let web: ChildProcess;
    before(async () => {
      execFileSync('ip', ['netns', 'add', NS]);
      inNs('ip', 'link', 'set', 'lo', 'up');
      // a veth pair standing in for the pod network: the "pod" address on one end, and a route
      // for the service range (a node has one through its default route)
      inNs('ip', 'link', 'add', 'pod0', 'type', 'veth', 'peer', 'name', 'host0');
      inNs('ip', 'addr', 'add', '10.42.0.5/24', 'dev', 'pod0');
      inNs('ip', 'link', 'set', 'pod0', 'up');
      inNs('ip', 'link', 'set', 'host0', 'up');
      inNs('ip', 'route', 'add', '10.43.0.0/16', 'dev', 'pod0');
      web = spawn('ip', [
        'netns',
        'exec',
        NS,
        process.execPath,
        '-e',
        "require('http').createServer((q,r)=>r.end('Hello World v1')).listen(8080,'10.42.0.5')",
      ]);
      s = await startServer(['--disable-controller-manager']);
      proxy = spawn(
        join(ROOT, 'bin', 'k8ts'),
        ['proxy', '--kubeconfig', s.kubeconfig, '--netns', NS, '--hostname-override', 'node1'],
        {
          stdio: 'ignore',
        },
      );
    });
    after(async () => {
      proxy?.kill('SIGTERM');
      web?.kill('SIGTERM');
      spawnSync('ip', ['netns', 'del', NS]);
      await s?.stop();
      if (s) cleanup(s);
    });

    it('routes a ClusterIP to its endpoint, refuses one without endpoints, cleans up deleted ones', async () => {
      await s.kubectl(['create', 'namespace', 'web']);
      await s.kubectl(['-n', 'web', 'create', 'service', 'clusterip', 'hello', '--tcp=80:8080']);
      const ip = (await s.kubectl(['-n', 'web', 'get', 'svc', 'hello', '-o', 'jsonpath={.spec.clusterIP}']))
        .stdout;
      const slice = {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: 'hello-abcde',
          namespace: 'web',
          labels: { 'kubernetes.io/service-name': 'hello' },
        },
        addressType: 'IPv4',
        ports: [{ name: '80-8080', port: 8080, protocol: 'TCP' }],
        endpoints: [{ addresses: ['10.42.0.5'], conditions: { ready: true }, nodeName: 'node1' }],
      };
      assert.equal((await s.kubectl(['create', '-f', '-'], JSON.stringify(slice))).code, 0);
      const body = await until('service reachable', () => {
        const r = curl(`http://${ip}/`);
        return r.status === 0 ? r.stdout : undefined;
      });
      assert.equal(body, 'Hello World v1');
      const nat = inNs('iptables-save', '-t', 'nat');
      assert.match(
        nat,
        /-A KUBE-SERVICES -d \S+\/32 -p tcp -m comment --comment "web\/hello:80-8080 cluster IP" -m tcp --dport 80 -j KUBE-SVC-/,
      );
      assert.match(nat, /-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES/);

      await s.kubectl(['-n', 'web', 'create', 'service', 'clusterip', 'empty', '--tcp=80:8080']);
      const emptyIP = (
        await s.kubectl(['-n', 'web', 'get', 'svc', 'empty', '-o', 'jsonpath={.spec.clusterIP}'])
      ).stdout;
      const refused = await until('REJECT rule', () => {
        const r = curl(`http://${emptyIP}/`);
        return r.status === 7 ? r.status : undefined; // curl: couldn't connect (refused at once)
      });
      assert.equal(refused, 7);
      assert.match(
        inNs('iptables-save', '-t', 'filter'),
        /"web\/empty has no endpoints"|web\/empty:80-8080 has no endpoints/,
      );

      await s.kubectl(['-n', 'web', 'delete', 'service', 'hello']);
      await until('chains removed', () =>
        inNs('iptables-save', '-t', 'nat').includes('web/hello') ? undefined : true,
      );
    });

    it('--cleanup removes every chain and jump rule it made', async () => {
      proxy.kill('SIGTERM');
      await new Promise((r) => proxy.once('exit', r));
      execFileSync(join(ROOT, 'bin', 'k8ts'), ['proxy', '--cleanup', '--netns', NS]);
      assert.doesNotMatch(inNs('iptables-save'), /KUBE-/);
    });
  },
);
