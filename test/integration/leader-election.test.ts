// Leader election on a Lease: one leader at a time, a clean hand-over when the leader stops,
// and a take-over after the lease duration when the leader dies without releasing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadKubeconfig, RestClient } from '../../src/client/rest.js';
import { LeaderElector } from '../../src/client/leader-election.js';
import { cleanup, startServer, type TestServer } from './harness.js';

async function until(what: string, cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('leader election', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer(['--disable-controller-manager']);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  const candidate = (identity: string, events: string[]) => {
    const client = new RestClient(loadKubeconfig(s.kubeconfig));
    const elector = new LeaderElector(
      client,
      {
        namespace: 'kube-system',
        name: 'test-lock',
        identity,
        // short enough for a test, long enough for a loaded 2-core machine
        leaseDurationSeconds: 3,
        renewDeadlineMs: 2500,
        retryPeriodMs: 200,
      },
      {
        onStartedLeading: () => events.push(`${identity} leads`),
        onStoppedLeading: () => events.push(`${identity} stopped`),
      },
    );
    return { client, elector };
  };

  it('elects one leader and hands over on release and on death', async () => {
    const events: string[] = [];
    const a = candidate('a', events);
    a.elector.start();
    await until('a to lead', () => a.elector.isLeader);
    const b = candidate('b', events);
    b.elector.start();
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(b.elector.isLeader, false, 'b must wait while a renews');
    const lease = await s.kubectl(['-n', 'kube-system', 'get', 'lease', 'test-lock', '--no-headers']);
    assert.match(lease.stdout, /^test-lock +a /);

    // a releases (LeaderElector.stop writes client-go's released record), b takes over; how soon
    // depends on the machine's load, so this waits rather than asserting a time
    await a.elector.stop();
    a.client.close();
    await until('b to lead after release', () => b.elector.isLeader);

    // b dies without releasing (its client is gone): c takes over once the lease expires
    const c = candidate('c', events);
    c.elector.start();
    b.client.close();
    await until('c to lead after b died', () => c.elector.isLeader);
    await until('b to notice', () => events.includes('b stopped'));
    const held = await s.kubectl([
      '-n',
      'kube-system',
      'get',
      'lease',
      'test-lock',
      '-o',
      'jsonpath={.spec.holderIdentity} {.spec.leaseTransitions}',
    ]);
    assert.equal(held.stdout, 'c 2');
    await c.elector.stop();
    c.client.close();
    await b.elector.stop();
    assert.ok(events.indexOf('a leads') < events.indexOf('b leads'), events.join(', '));
    assert.ok(events.indexOf('b leads') < events.indexOf('c leads'), events.join(', '));
  });
});
