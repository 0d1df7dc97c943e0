// Pod CIDR sets, tolerations and the taints the node lifecycle controller wants.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CidrSet } from '../../../src/controllers/nodeipam/cidrset.js';
import { desiredTaints } from '../../../src/controllers/nodelifecycle/controller.js';
import { parseDuration } from '../../../src/controllers/nodelifecycle/duration.js';
import { TokenBucket, zoneQPS, zoneState } from '../../../src/controllers/nodelifecycle/zones.js';
import { evictionTime, tolerates } from '../../../src/controllers/nodelifecycle/taints.js';

describe('pod CIDR sets', () => {
  it('hands out /24s of an IPv4 cluster CIDR in order and reuses released ones', () => {
    const s = new CidrSet('10.42.0.0/16', 24);
    assert.equal(s.allocateNext(), '10.42.0.0/24');
    assert.ok(s.occupy('10.42.1.0/24'));
    assert.equal(s.allocateNext(), '10.42.2.0/24');
    s.release('10.42.0.0/24');
    assert.equal(s.allocateNext(), '10.42.3.0/24');
    assert.equal(s.allocateNext(), '10.42.4.0/24');
    assert.equal(s.occupy('10.43.0.0/24'), false, 'outside the cluster CIDR');
  });

  it('runs out, then answers nothing', () => {
    const s = new CidrSet('10.0.0.0/23', 24);
    assert.deepEqual(
      [s.allocateNext(), s.allocateNext(), s.allocateNext()],
      ['10.0.0.0/24', '10.0.1.0/24', undefined],
    );
  });

  it('carves /64s from an IPv6 range', () => {
    const s = new CidrSet('fd00:10:42::/56', 64);
    assert.equal(s.allocateNext(), 'fd00:10:42::/64');
    assert.equal(s.allocateNext(), 'fd00:10:42:1::/64');
  });

  it('refuses a mask that does not fit', () => {
    assert.throws(() => new CidrSet('10.42.0.0/16', 8), /does not fit/);
  });
});

describe('taints and tolerations', () => {
  const unreachable = {
    key: 'node.kubernetes.io/unreachable',
    effect: 'NoExecute' as const,
    timeAdded: '2026-01-01T00:00:00Z',
  };
  const t0 = Date.parse('2026-01-01T00:00:00Z');

  it('matches Exists, Equal and empty-key tolerations', () => {
    assert.ok(tolerates({ operator: 'Exists' }, unreachable));
    assert.ok(tolerates({ key: unreachable.key, operator: 'Exists', effect: 'NoExecute' }, unreachable));
    assert.equal(
      tolerates({ key: unreachable.key, operator: 'Exists', effect: 'NoSchedule' }, unreachable),
      false,
    );
    assert.ok(tolerates({ key: 'k', value: 'v' }, { key: 'k', value: 'v', effect: 'NoSchedule' }));
    assert.equal(tolerates({ key: 'k', value: 'w' }, { key: 'k', value: 'v', effect: 'NoSchedule' }), false);
  });

  it('evicts at once, after tolerationSeconds from timeAdded, or never', () => {
    assert.equal(evictionTime([], [unreachable], t0), 'now');
    assert.equal(
      evictionTime([{ operator: 'Exists', tolerationSeconds: 300 }], [unreachable], t0 + 5000),
      t0 + 300_000,
    );
    assert.equal(evictionTime([{ operator: 'Exists' }], [unreachable], t0), 'never');
    assert.equal(evictionTime([], [{ key: 'x', effect: 'NoSchedule' }], t0), 'never');
  });

  it('wants condition taints and keeps the NoExecute timeAdded', () => {
    const node = {
      metadata: { name: 'n' },
      spec: { unschedulable: true, taints: [{ key: 'user', effect: 'NoSchedule' as const }, unreachable] },
      status: {
        conditions: [
          { type: 'Ready', status: 'Unknown' },
          { type: 'DiskPressure', status: 'True' },
        ],
      },
    };
    const want = desiredTaints(node, 'add', t0 + 60_000).map(
      (t) => `${t.key}:${t.effect}:${t.timeAdded ?? ''}`,
    );
    assert.deepEqual(want.sort(), [
      'node.kubernetes.io/disk-pressure:NoSchedule:',
      'node.kubernetes.io/unreachable:NoExecute:2026-01-01T00:00:00Z',
      'node.kubernetes.io/unreachable:NoSchedule:',
      'node.kubernetes.io/unschedulable:NoSchedule:',
      'user:NoSchedule:',
    ]);
    assert.ok(
      !desiredTaints(node, 'remove', t0).some((t) => t.effect === 'NoExecute'),
      'no NoExecute in full disruption',
    );
  });

  it('parses Go durations', () => {
    assert.equal(parseDuration('40s'), 40_000);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.throws(() => parseDuration('40'), /invalid duration/);
  });

  it('holds new NoExecute taints while rate-limited, keeping one already there', () => {
    const fresh = {
      metadata: { name: 'f' },
      spec: {},
      status: { conditions: [{ type: 'Ready', status: 'False' }] },
    };
    assert.ok(!desiredTaints(fresh, 'hold', t0).some((t) => t.effect === 'NoExecute'));
    const swapped = { ...fresh, spec: { taints: [unreachable] } };
    assert.deepEqual(
      desiredTaints(swapped, 'hold', t0)
        .filter((t) => t.effect === 'NoExecute')
        .map((t) => [t.key, t.timeAdded]),
      [['node.kubernetes.io/not-ready', '2026-01-01T00:00:00Z']],
    );
  });

  it('computes zone states and eviction rates as upstream', () => {
    assert.equal(zoneState(0, 3), 'FullDisruption');
    assert.equal(zoneState(1, 2), 'Normal', 'two not-ready nodes never make a disruption');
    assert.equal(zoneState(2, 3), 'PartialDisruption');
    assert.equal(zoneQPS('PartialDisruption', 10), 0);
    assert.equal(zoneQPS('PartialDisruption', 60), 0.01);
    assert.equal(zoneQPS('Normal', 10), 0.1);
    const b = new TokenBucket(0.1, t0);
    assert.equal(b.tryAccept(t0), true);
    assert.equal(b.tryAccept(t0 + 5000), false);
    assert.equal(b.tryAccept(t0 + 10_000), true);
  });
});
