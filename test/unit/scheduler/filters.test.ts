// Each filter plugin's verdict and upstream's reason text.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState, Code } from '../../../src/scheduler/framework/types.js';
import { nodeUnschedulable } from '../../../src/scheduler/plugins/node-unschedulable.js';
import { nodeName } from '../../../src/scheduler/plugins/node-name.js';
import { taintToleration } from '../../../src/scheduler/plugins/taint-toleration.js';
import { nodeAffinity } from '../../../src/scheduler/plugins/node-affinity.js';
import { nodePorts } from '../../../src/scheduler/plugins/node-ports.js';
import { node, place, pod } from './helpers.js';

const st = () => new CycleState();

describe('NodeUnschedulable', () => {
  it('keeps pods off a cordoned node unless they tolerate the unschedulable taint', () => {
    const n = node('a', { unschedulable: true });
    const r = nodeUnschedulable.filter(st(), pod(), n);
    assert.equal(r.code, Code.UnschedulableAndUnresolvable);
    assert.deepEqual(r.reasons, ['node(s) were unschedulable']);
    const tolerant = pod({
      tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }],
    });
    assert.ok(nodeUnschedulable.filter(st(), tolerant, n).isSuccess());
    assert.ok(nodeUnschedulable.filter(st(), pod(), node('b')).isSuccess());
  });
});

describe('NodeName', () => {
  it('fits only the named node', () => {
    const p = pod({ nodeName: 'a' });
    assert.ok(nodeName.filter(st(), p, node('a')).isSuccess());
    assert.deepEqual(nodeName.filter(st(), p, node('b')).reasons, [
      "node(s) didn't match the requested node name",
    ]);
  });
});

describe('TaintToleration', () => {
  const tainted = node('a', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
  it('rejects untolerated NoSchedule taints with the taint in the reason', () => {
    const r = taintToleration.filter(st(), pod(), tainted);
    assert.equal(r.code, Code.UnschedulableAndUnresolvable);
    assert.deepEqual(r.reasons, ['node(s) had untolerated taint {dedicated: gpu}']);
  });
  it('accepts Equal and Exists tolerations; ignores PreferNoSchedule in the filter', () => {
    assert.ok(
      taintToleration
        .filter(
          st(),
          pod({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }),
          tainted,
        )
        .isSuccess(),
    );
    assert.ok(
      taintToleration.filter(st(), pod({ tolerations: [{ operator: 'Exists' }] }), tainted).isSuccess(),
    );
    assert.ok(
      !taintToleration
        .filter(st(), pod({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'cpu' }] }), tainted)
        .isSuccess(),
    );
    const soft = node('b', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] });
    assert.ok(taintToleration.filter(st(), pod(), soft).isSuccess());
  });
  it('scores nodes with fewer untolerated PreferNoSchedule taints higher', () => {
    const p = pod();
    const soft = node('b', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] });
    const scores = [
      { node: 'b', score: taintToleration.score(st(), p, soft) },
      { node: 'c', score: taintToleration.score(st(), p, node('c')) },
    ];
    taintToleration.normalize!(st(), p, scores);
    assert.deepEqual(
      scores.map((s) => s.score),
      [0, 100],
    );
  });
});

describe('NodeAffinity', () => {
  const ssd = node('a', { labels: { disktype: 'ssd', zone: 'z1' } });
  const hdd = node('b', { labels: { disktype: 'hdd', zone: 'z2' } });
  const REASON = "node(s) didn't match Pod's node affinity/selector";
  it('nodeSelector must match every label', () => {
    const p = pod({ nodeSelector: { disktype: 'ssd' } });
    assert.ok(nodeAffinity.filter(st(), p, ssd).isSuccess());
    const r = nodeAffinity.filter(st(), p, hdd);
    assert.equal(r.code, Code.UnschedulableAndUnresolvable);
    assert.deepEqual(r.reasons, [REASON]);
  });
  it('required terms are ORed, expressions ANDed; operators In, NotIn, Exists, Gt', () => {
    const p = pod({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z9'] }] },
              {
                matchExpressions: [
                  { key: 'disktype', operator: 'NotIn', values: ['ssd'] },
                  { key: 'zone', operator: 'Exists' },
                ],
              },
            ],
          },
        },
      },
    });
    assert.ok(!nodeAffinity.filter(st(), p, ssd).isSuccess());
    assert.ok(nodeAffinity.filter(st(), p, hdd).isSuccess());
    const gt = pod({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }],
          },
        },
      },
    });
    assert.ok(nodeAffinity.filter(st(), gt, node('c', { labels: { cores: '8' } })).isSuccess());
    assert.ok(!nodeAffinity.filter(st(), gt, node('d', { labels: { cores: '2' } })).isSuccess());
    const byName = pod({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }],
          },
        },
      },
    });
    assert.ok(nodeAffinity.filter(st(), byName, hdd).isSuccess());
    assert.ok(!nodeAffinity.filter(st(), byName, ssd).isSuccess());
  });
  it('preferred terms score by weight, normalized to 100', () => {
    const p = pod({
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 30,
              preference: { matchExpressions: [{ key: 'disktype', operator: 'In', values: ['ssd'] }] },
            },
          ],
        },
      },
    });
    const scores = [ssd, hdd].map((n) => ({ node: n.name, score: nodeAffinity.score(st(), p, n) }));
    nodeAffinity.normalize!(st(), p, scores);
    assert.deepEqual(
      scores.map((s) => s.score),
      [100, 0],
    );
  });
});

describe('NodePorts', () => {
  it('one pod per hostPort and protocol; 0.0.0.0 conflicts with any IP', () => {
    const n = node('a');
    const web = (hostPort: number, protocol = 'TCP', hostIP?: string) =>
      pod({
        containers: [
          { name: 'c', image: 'nginx', ports: [{ containerPort: 80, hostPort, protocol, hostIP }] },
        ],
      });
    place(n, web(8080));
    const r = nodePorts.filter(st(), web(8080), n);
    assert.equal(r.code, Code.Unschedulable);
    assert.deepEqual(r.reasons, ["node(s) didn't have free ports for the requested pod ports"]);
    assert.ok(nodePorts.filter(st(), web(8080, 'UDP'), n).isSuccess());
    assert.ok(nodePorts.filter(st(), web(8081), n).isSuccess());
    assert.ok(!nodePorts.filter(st(), web(8080, 'TCP', '10.0.0.1'), n).isSuccess());
  });
});
