// `k8ts dns` against a real server: what nslookup/dig in a pod would get for cluster names,
// forwarding of the rest, and the coredns ConfigMap applied without a restart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { join } from 'node:path';
import { cleanup, freePort, ROOT, startServer, type TestServer } from './harness.js';
import { decode, encode, TYPE } from '../../src/dns/wire.js';

/** A tiny upstream resolver answering fixed A records (NXDOMAIN otherwise). */
async function fakeUpstream(records: Record<string, string>): Promise<{ port: number; sock: Socket }> {
  const sock = createSocket('udp4');
  sock.on('message', (msg, r) => {
    const q = decode(msg);
    const ip = records[q.questions[0].name];
    const answer = {
      ...q,
      flags: { ...q.flags, qr: true, ra: true, rcode: ip ? 0 : 3 },
      answers: ip
        ? [
            {
              name: q.questions[0].name,
              type: TYPE.A,
              class: 1,
              ttl: 60,
              data: { kind: 'A' as const, address: ip },
            },
          ]
        : [],
    };
    sock.send(encode(answer), r.port, r.address);
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
  return { port: sock.address().port, sock };
}

const corefile = (upstream: number, extra = '') => `.:53 {
    errors
    kubernetes cluster.local in-addr.arpa ip6.arpa {
      pods insecure
      fallthrough in-addr.arpa ip6.arpa
    }
    forward . 127.0.0.1:${upstream}
    cache 30
}
${extra}`;

async function until<T>(what: string, f: () => Promise<T>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await f();
    } catch (err) {
      if (Date.now() > end) throw new Error(`${what}: ${String(err)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('cluster DNS', () => {
  let s: TestServer;
  let dns: ChildProcess;
  let resolver: Resolver;
  const upstreams: Socket[] = [];
  let upstream: number;
  let stub: number;

  before(async () => {
    s = await startServer(['--disable-controller-manager']);
    const a = await fakeUpstream({ 'example.com': '93.184.216.34' });
    const b = await fakeUpstream({ 'web.consul.local': '10.150.0.9' });
    upstreams.push(a.sock, b.sock);
    [upstream, stub] = [a.port, b.port];
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'coredns', namespace: 'kube-system' },
      data: { Corefile: corefile(upstream) },
    };
    assert.equal((await s.kubectl(['apply', '-f', '-'], JSON.stringify(cm))).code, 0);
    const port = await freePort();
    dns = spawn(
      join(ROOT, 'bin', 'k8ts'),
      ['dns', '--kubeconfig', s.kubeconfig, '--listen', `127.0.0.1:${port}`],
      {
        stdio: 'ignore',
      },
    );
    resolver = new Resolver({ timeout: 1000, tries: 2 });
    resolver.setServers([`127.0.0.1:${port}`]);
    await until('dns up', () => resolver.resolve4('kubernetes.default.svc.cluster.local'));
  });
  after(async () => {
    dns?.kill('SIGTERM');
    for (const u of upstreams) u.close();
    await s.stop();
    cleanup(s);
  });

  it('answers the kubernetes service and new services by name, and NXDOMAIN for missing ones', async () => {
    assert.deepEqual(await resolver.resolve4('kubernetes.default.svc.cluster.local'), ['10.43.0.1']);
    await s.kubectl(['create', 'namespace', 'web']);
    await s.kubectl(['-n', 'web', 'create', 'service', 'clusterip', 'hostnames', '--tcp=80:9376']);
    const ip = (await s.kubectl(['-n', 'web', 'get', 'svc', 'hostnames', '-o', 'jsonpath={.spec.clusterIP}']))
      .stdout;
    assert.deepEqual(await until('new service', () => resolver.resolve4('hostnames.web.svc.cluster.local')), [
      ip,
    ]);
    const srv = await resolver.resolveSrv('_80-9376._tcp.hostnames.web.svc.cluster.local');
    assert.deepEqual(srv, [{ name: 'hostnames.web.svc.cluster.local', port: 80, priority: 0, weight: 100 }]);
    assert.deepEqual(await resolver.reverse(ip), ['hostnames.web.svc.cluster.local']);
    await assert.rejects(resolver.resolve4('nope.web.svc.cluster.local'), { code: 'ENOTFOUND' });
    // a namespace that exists is a name without records; an unknown one does not exist
    await assert.rejects(resolver.resolve4('web.svc.cluster.local'), { code: 'ENODATA' });
    await assert.rejects(resolver.resolve4('nowhere.svc.cluster.local'), { code: 'ENOTFOUND' });
    await assert.rejects(resolver.resolve6('kubernetes.default.svc.cluster.local'), { code: 'ENODATA' });
  });

  it('answers headless services with their ready endpoints, and pod names', async () => {
    await s.kubectl([
      '-n',
      'web',
      'create',
      'service',
      'clusterip',
      'db',
      '--clusterip=None',
      '--tcp=5432:5432',
    ]);
    const slice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'db-abcde', namespace: 'web', labels: { 'kubernetes.io/service-name': 'db' } },
      addressType: 'IPv4',
      ports: [{ name: '5432-5432', port: 5432, protocol: 'TCP' }],
      endpoints: [
        { addresses: ['10.42.0.5'], conditions: { ready: true }, hostname: 'db-0' },
        { addresses: ['10.42.0.6'], conditions: { ready: true } },
        { addresses: ['10.42.0.7'], conditions: { ready: false } },
      ],
    };
    assert.equal((await s.kubectl(['create', '-f', '-'], JSON.stringify(slice))).code, 0);
    const ips = await until('headless', async () => {
      const r = (await resolver.resolve4('db.web.svc.cluster.local')).sort();
      if (r.length !== 2) throw new Error(`got ${r.join(',')}`);
      return r;
    });
    assert.deepEqual(ips, ['10.42.0.5', '10.42.0.6']);
    assert.deepEqual(await resolver.resolve4('db-0.db.web.svc.cluster.local'), ['10.42.0.5']);
    assert.deepEqual(await resolver.resolve4('10-42-0-6.db.web.svc.cluster.local'), ['10.42.0.6']);
    assert.deepEqual(await resolver.reverse('10.42.0.5'), ['db-0.db.web.svc.cluster.local']);
    const srv = (await resolver.resolveSrv('_5432-5432._tcp.db.web.svc.cluster.local'))
      .map((r) => r.name)
      .sort();
    assert.deepEqual(srv, ['10-42-0-6.db.web.svc.cluster.local', 'db-0.db.web.svc.cluster.local']);
    assert.deepEqual(await resolver.resolve4('10-42-0-9.web.pod.cluster.local'), ['10.42.0.9']);
  });

  it('forwards other names, and applies a stub domain from the ConfigMap without a restart', async () => {
    assert.deepEqual(await resolver.resolve4('example.com'), ['93.184.216.34']);
    await assert.rejects(resolver.resolve4('web.consul.local'), { code: 'ENOTFOUND' });
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'coredns', namespace: 'kube-system' },
      data: { Corefile: corefile(upstream, `consul.local:53 {\n    forward . 127.0.0.1:${stub}\n}\n`) },
    };
    assert.equal((await s.kubectl(['apply', '-f', '-'], JSON.stringify(cm))).code, 0);
    assert.deepEqual(await until('stub domain', () => resolver.resolve4('web.consul.local')), ['10.150.0.9']);
  });

  it('answers from the hosts plugin (a ConfigMap key as k3s NodeHosts, inline lines) before the cluster', async () => {
    const hosts = `hosts /etc/coredns/NodeHosts {
      10.9.9.9 inline.example
      ttl 60
      fallthrough
    }`;
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'coredns', namespace: 'kube-system' },
      data: {
        Corefile: corefile(upstream).replace('    errors\n', `    errors\n    ${hosts}\n`),
        NodeHosts: '10.250.1.1 node-a\nfd00::1 node-a\n',
      },
    };
    assert.equal((await s.kubectl(['apply', '-f', '-'], JSON.stringify(cm))).code, 0);
    assert.deepEqual(await until('hosts plugin', () => resolver.resolve4('node-a')), ['10.250.1.1']);
    assert.deepEqual(await resolver.resolve6('node-a'), ['fd00::1']);
    assert.deepEqual(await resolver.resolve4('inline.example'), ['10.9.9.9']);
    assert.deepEqual(await resolver.reverse('10.250.1.1'), ['node-a']);
    // fallthrough: the cluster and the upstream still answer the rest
    assert.deepEqual(await resolver.resolve4('kubernetes.default.svc.cluster.local'), ['10.43.0.1']);
    assert.deepEqual(await resolver.resolve4('example.com'), ['93.184.216.34']);
    // a NodeHosts edit is applied without a restart
    cm.data.NodeHosts = '10.250.1.2 node-a\n';
    assert.equal((await s.kubectl(['apply', '-f', '-'], JSON.stringify(cm))).code, 0);
    assert.deepEqual(
      await until('NodeHosts change', async () => {
        const a = await resolver.resolve4('node-a');
        if (a[0] !== '10.250.1.2') throw new Error(`still ${a.join(',')}`);
        return a;
      }),
      ['10.250.1.2'],
    );
  });
});
