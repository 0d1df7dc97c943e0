// Simulated nodes' identities and the parsing of their flags.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCapacity, parseTaints, simFallbackCIDR, simIdentity } from '../../../src/kubelet/identity.js';
import { nodeObject } from '../../../src/kubelet/node-status.js';

describe('sim node identity', () => {
  it('parses --sim-node-capacity into canonical quantities and refuses bad ones', () => {
    assert.deepEqual(parseCapacity('cpu=8,memory=32Gi,pods=110'), { cpu: '8', memory: '32Gi', pods: '110' });
    assert.deepEqual(parseCapacity('cpu=1500m'), { cpu: '1500m' });
    assert.throws(() => parseCapacity('cpu'), /invalid capacity "cpu": want name=quantity/);
    assert.throws(
      () => parseCapacity('memory=lots'),
      /invalid capacity "memory=lots": "lots" is not a quantity/,
    );
  });
  it("parses taints in the kubelet's --register-with-taints syntax", () => {
    assert.deepEqual(parseTaints('a=b:NoSchedule,c:PreferNoSchedule'), [
      { key: 'a', value: 'b', effect: 'NoSchedule' },
      { key: 'c', effect: 'PreferNoSchedule' },
    ]);
    assert.throws(() => parseTaints('a=b:Sometimes'), /invalid taint "a=b:Sometimes"/);
  });
  it('gives each node its name, address and a pod CIDR block of its own', () => {
    const id = simIdentity({
      index: 299,
      capacity: { cpu: '4' },
      labels: { tier: 'x' },
      taints: [],
      runtimeVersion: 'sim://1.0',
    });
    assert.equal(id.name, 'sim-node-299');
    assert.equal(id.internalIP, '100.64.1.44');
    assert.equal(id.capacity.cpu, '4');
    assert.equal(id.capacity.memory, '32Gi');
    assert.equal(id.labels.tier, 'x');
    assert.equal(simFallbackCIDR(0), '10.42.1.0/26');
    assert.equal(simFallbackCIDR(1), '10.42.1.64/26');
    assert.equal(simFallbackCIDR(1019), '10.42.255.192/26');
    const node = nodeObject(id, '2024-01-01T00:00:00Z');
    const ready = (node.status as { conditions: { type: string; reason: string }[] }).conditions.find(
      (c) => c.type === 'Ready',
    );
    assert.equal(ready?.reason, 'KubeletReady');
  });
});
