// The cluster-proportional-autoscaler's modes with the numbers of seed 004 §3.20 and of
// upstream's linear/ladder controller tests, and upstream's error texts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { controlModeOf, parseDefaultParams } from '../../../src/cpa/params.js';
import { clusterStatusOf, scalePath } from '../../../src/cpa/autoscaler.js';
import type { KubeObject } from '../../../src/api/types.js';

const status = (nodes: number, cores: number, unschedulable = { nodes: 0, cores: 0 }) => ({
  totalNodes: nodes + unschedulable.nodes,
  schedulableNodes: nodes,
  totalCores: cores + unschedulable.cores,
  schedulableCores: cores,
});

describe('cluster-proportional-autoscaler modes', () => {
  it('linear: max(ceil(cores/coresPerReplica), ceil(nodes/nodesPerReplica)), at least min', () => {
    const m = controlModeOf({ linear: '{"coresPerReplica":256,"min":1,"nodesPerReplica":16}' });
    assert.equal(m.expectedReplicas(status(1, 4)), 1);
    assert.equal(m.expectedReplicas(status(17, 68)), 2); // ceil(17/16)
    assert.equal(m.expectedReplicas(status(4, 600)), 3); // ceil(600/256)
  });

  it('linear: preventSinglePointFailure gives 2 on more than one node; max caps', () => {
    const m = controlModeOf({
      linear: '{"coresPerReplica":256,"nodesPerReplica":16,"preventSinglePointFailure":true}',
    });
    assert.equal(m.expectedReplicas(status(1, 8)), 1);
    assert.equal(m.expectedReplicas(status(2, 8)), 2);
    const capped = controlModeOf({ linear: '{"nodesPerReplica":1,"max":3}' });
    assert.equal(capped.expectedReplicas(status(10, 40)), 3);
  });

  it('linear: includeUnschedulableNodes counts cordoned nodes too', () => {
    const text = '{"nodesPerReplica":1,"includeUnschedulableNodes":INC}';
    const s = status(2, 8, { nodes: 3, cores: 12 });
    assert.equal(controlModeOf({ linear: text.replace('INC', 'false') }).expectedReplicas(s), 2);
    assert.equal(controlModeOf({ linear: text.replace('INC', 'true') }).expectedReplicas(s), 5);
  });

  it('ladder: the step at or below the count', () => {
    const m = controlModeOf({
      ladder: '{"coresToReplicas":[[1,1],[64,3],[512,5],[1024,7]],"nodesToReplicas":[[1,1],[2,2]]}',
    });
    assert.equal(m.expectedReplicas(status(1, 1)), 1);
    assert.equal(m.expectedReplicas(status(2, 63)), 2);
    assert.equal(m.expectedReplicas(status(2, 100)), 3);
    assert.equal(m.expectedReplicas(status(2, 2000)), 7);
  });

  it('upstream errors', () => {
    assert.throws(() => controlModeOf({}), {
      message: 'invalid configMap format, expected only one entry, got: map[]',
    });
    assert.throws(() => controlModeOf({ quadratic: '{}' }), {
      message: 'not a supported control mode: quadratic',
    });
    assert.throws(() => controlModeOf({ linear: '{"min":2}' }), {
      message:
        'error parsing linear params: should at least provide either CoresPerReplica or NodesPerReplica (Greater than 0)',
    });
    assert.throws(() => controlModeOf({ linear: '{"nodesPerReplica":1,"min":3,"max":2}' }), {
      message:
        'error parsing linear params: max replicas count 2 should be greater than / equal to min replicas count 3',
    });
    assert.throws(
      () => controlModeOf({ linear: 'nope' }),
      /^Error: error parsing linear params: could not parse parameters \(/,
    );
    assert.throws(() => scalePath('coredns', 'kube-system'), { message: 'target format error: coredns' });
    assert.throws(() => scalePath('daemonset/x', 'kube-system'), {
      message: 'unsupported target kind: daemonset',
    });
    assert.equal(
      scalePath('Deployment/coredns', 'kube-system'),
      '/apis/apps/v1/namespaces/kube-system/deployments/coredns/scale',
    );
  });

  it('default params become one ConfigMap entry per mode, keys sorted as Go writes them', () => {
    assert.deepEqual(
      parseDefaultParams(
        '{"linear":{"coresPerReplica":256,"nodesPerReplica":16,"preventSinglePointFailure":true,"includeUnschedulableNodes":true}}',
      ),
      {
        linear:
          '{"coresPerReplica":256,"includeUnschedulableNodes":true,"nodesPerReplica":16,"preventSinglePointFailure":true}',
      },
    );
  });

  it('counts allocatable cores of schedulable nodes', () => {
    const node = (cpu: string, unschedulable = false) =>
      ({
        metadata: { name: 'n' },
        spec: { unschedulable },
        status: { allocatable: { cpu } },
      }) as unknown as KubeObject;
    assert.deepEqual(clusterStatusOf([node('8'), node('4', true)]), status(1, 8, { nodes: 1, cores: 4 }));
    assert.throws(() => clusterStatusOf([node('1500m')]), {
      message: 'unable to compute integer values of schedulable cores in the cluster',
    });
  });
});
