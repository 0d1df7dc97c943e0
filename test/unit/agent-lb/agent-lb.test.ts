// The agent's loopback load balancer: servers from the `kubernetes` Endpoints (address × port),
// the --server fallback kept, and a connection moved to the next server when one is down.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Server } from 'node:net';
import { AgentLoadBalancer, serversOf } from '../../../src/cluster/agent-lb.js';

/** A TCP server that writes its name to every connection and closes it. */
async function named(name: string): Promise<{ server: Server; port: number }> {
  const server = createServer((c) => c.end(name));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  return { server, port: typeof a === 'object' && a ? a.port : 0 };
}

function read(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const c = connect(port, '127.0.0.1');
    c.setEncoding('utf8');
    c.on('data', (d: string) => (out += d));
    c.on('close', () => resolve(out));
    c.on('error', reject);
  });
}

describe('agent load balancer', () => {
  const lbs: AgentLoadBalancer[] = [];
  after(() => lbs.forEach((l) => l.close()));

  it('lists every address and port of the kubernetes Endpoints', () => {
    assert.deepEqual(
      serversOf({
        subsets: [
          { addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 6443 }] },
          { addresses: [{ ip: '10.0.0.3' }], ports: [{ port: 7443 }] },
        ],
      }),
      [
        { host: '10.0.0.1', port: 6443 },
        { host: '10.0.0.2', port: 6443 },
        { host: '10.0.0.3', port: 7443 },
      ],
    );
    assert.deepEqual(serversOf({}), []);
  });

  it('keeps the --server address as a fallback and fails over when a server is down', async () => {
    const one = await named('one');
    const two = await named('two');
    const lb = new AgentLoadBalancer({ host: '127.0.0.1', port: one.port });
    lbs.push(lb);
    const port = await lb.listen();
    assert.equal(await read(port), 'one');
    lb.setServers([{ host: '127.0.0.1', port: two.port }]);
    assert.deepEqual(lb.list(), [`127.0.0.1:${two.port}`, `127.0.0.1:${one.port}`]);
    // the current server (one) stays current while it is listed
    assert.equal(await read(port), 'one');
    await new Promise<void>((r) => one.server.close(() => r()));
    assert.equal(await read(port), 'two');
    assert.equal(await read(port), 'two');
    await new Promise<void>((r) => two.server.close(() => r()));
    assert.equal(await read(port), ''); // nobody left: the connection is closed
  });
});
