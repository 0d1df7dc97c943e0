// Leader election on a Lease against an in-memory lease store standing in for the API.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../../src/api/errors.js';
import type { KubeObject } from '../../../src/api/types.js';
import { LeaderElector } from '../../../src/client/leader-election.js';
import type { RestClient } from '../../../src/client/rest.js';

function fakeAPI() {
  let lease: KubeObject | undefined;
  let rv = 0;
  const client = {
    async request(method: string, _path: string, body?: KubeObject): Promise<unknown> {
      if (method === 'GET') {
        if (!lease)
          throw new StatusError(404, 'NotFound', 'leases.coordination.k8s.io "kube-scheduler" not found');
        return structuredClone(lease);
      }
      if (method === 'POST') {
        if (lease) throw new StatusError(409, 'AlreadyExists', 'exists');
      } else if (body!.metadata.resourceVersion !== lease?.metadata.resourceVersion)
        throw new StatusError(409, 'Conflict', 'modified');
      lease = structuredClone(body!);
      lease.metadata.resourceVersion = String(++rv);
      return lease;
    },
  } as unknown as RestClient;
  return { client, lease: () => lease };
}

let clock = Date.parse('2026-01-01T00:00:00Z');
const opts = {
  namespace: 'kube-system',
  name: 'kube-scheduler',
  leaseDurationSeconds: 15,
  now: () => new Date(clock),
};

describe('leader election', () => {
  it('the first candidate takes the lease; a second waits until it expires, then takes over', async () => {
    const api = fakeAPI();
    const a = new LeaderElector(api.client, { ...opts, identity: 'a' });
    const b = new LeaderElector(api.client, { ...opts, identity: 'b' });
    assert.equal(await a.tryAcquireOrRenew(), true);
    const spec = api.lease()!.spec as { holderIdentity: string; leaseTransitions: number; renewTime: string };
    assert.equal(spec.holderIdentity, 'a');
    assert.equal(spec.leaseTransitions, 0);
    assert.match(spec.renewTime, /\.\d{6}Z$/);
    assert.equal(await b.tryAcquireOrRenew(), false);
    assert.equal(await a.tryAcquireOrRenew(), true);
    clock += 16_000;
    assert.equal(await b.tryAcquireOrRenew(), true);
    const after = api.lease()!.spec as { holderIdentity: string; leaseTransitions: number };
    assert.equal(after.holderIdentity, 'b');
    assert.equal(after.leaseTransitions, 1);
    assert.equal(await a.tryAcquireOrRenew(), false);
  });
});
