// LoadBalancer services get an EXTERNAL-IP from the built-in service load balancer: from
// --service-lb-pool, or the Ready nodes' InternalIPs without one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cleanup, ROOT, startServer, type TestServer } from './harness.js';

async function eventually(what: string, f: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('service load balancer', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer(['--service-lb-pool', '192.168.100.10-192.168.100.11']);
    await s.kubectl(['create', 'namespace', 'lb']);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  const external = async (name: string) =>
    (await s.kubectl(['-n', 'lb', 'get', 'svc', name, '--no-headers'])).stdout.split(/\s+/)[3];

  it('assigns pool addresses, reports exhaustion, and reuses a freed address', async () => {
    for (const n of ['a', 'b', 'c'])
      await s.kubectl(['-n', 'lb', 'create', 'service', 'loadbalancer', n, '--tcp=80:8080']);
    await eventually(
      'a and b addressed',
      async () => (await external('a')) === '192.168.100.10' && (await external('b')) === '192.168.100.11',
    );
    assert.equal(await external('c'), '<pending>');
    await eventually('exhaustion event', async () =>
      /AllocationFailed/.test(
        (await s.kubectl(['-n', 'lb', 'get', 'events', '--field-selector', 'involvedObject.name=c'])).stdout,
      ),
    );
    const ev = (await s.kubectl(['-n', 'lb', 'get', 'events', '--field-selector', 'involvedObject.name=a']))
      .stdout;
    assert.match(ev, /EnsuredLoadBalancer\s+service\/a\s+Ensured load balancer/);
    await s.kubectl(['-n', 'lb', 'delete', 'service', 'a']);
    await eventually('c gets the freed address', async () => (await external('c')) === '192.168.100.10');
  });

  it('leaves services with a loadBalancerClass to their own controller', async () => {
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'other', namespace: 'lb' },
      spec: { type: 'LoadBalancer', loadBalancerClass: 'example.com/lb', ports: [{ port: 80 }] },
    };
    assert.equal((await s.kubectl(['create', '-f', '-'], JSON.stringify(svc))).code, 0);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await external('other'), '<pending>');
  });

  it('refuses a bad pool at start with the reason', () => {
    const r = spawnSync(
      join(ROOT, 'bin', 'k8ts'),
      ['server', '--service-lb-pool', '10.0.0.0/24,10.0.0.5-10.0.0.6'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 1);
    assert.match(r.stderr, /address pool entries overlap: 10.0.0.0\/24,10.0.0.5-10.0.0.6/);
  });
});

describe('service load balancer without a pool', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it("uses the Ready nodes' InternalIPs", async () => {
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1' },
    };
    assert.equal((await s.kubectl(['create', '-f', '-'], JSON.stringify(node))).code, 0);
    const st = await s.api(
      'PATCH',
      '/api/v1/nodes/n1/status',
      JSON.stringify({
        status: {
          addresses: [{ type: 'InternalIP', address: '10.0.0.7' }],
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'KubeletReady',
              message: 'kubelet is posting ready status',
            },
          ],
        },
      }),
      { 'Content-Type': 'application/merge-patch+json' },
    );
    assert.equal(st.status, 200, st.body);
    await s.kubectl(['create', 'service', 'loadbalancer', 'web', '--tcp=80:8080']);
    await eventually('node IP as external IP', async () =>
      /^web\s+LoadBalancer\s+\S+\s+10\.0\.0\.7\s+80:\d+\/TCP/.test(
        (await s.kubectl(['get', 'svc', 'web', '--no-headers'])).stdout,
      ),
    );
  });
});
