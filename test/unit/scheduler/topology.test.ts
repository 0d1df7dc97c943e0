// PodTopologySpread and InterPodAffinity against small clusters.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState, Code } from '../../../src/scheduler/framework/types.js';
import type { NodeInfo } from '../../../src/scheduler/framework/node-info.js';
import { podTopologySpread } from '../../../src/scheduler/plugins/pod-topology-spread.js';
import { interPodAffinity } from '../../../src/scheduler/plugins/inter-pod-affinity.js';
import { node, place, pod } from './helpers.js';

function lister(nodes: NodeInfo[]) {
  return {
    nodes: () => nodes,
    antiAffinityPods: () =>
      nodes.flatMap((n) =>
        [...n.pods.values()].filter((p) => p.hasRequiredAntiAffinity).map((info) => ({ info, node: n })),
      ),
  };
}

describe('PodTopologySpread', () => {
  const spread = (maxSkew: number) =>
    pod(
      {
        topologySpreadConstraints: [
          {
            maxSkew,
            topologyKey: 'zone',
            whenUnsatisfiable: 'DoNotSchedule',
            labelSelector: { matchLabels: { app: 'web' } },
          },
        ],
      },
      { labels: { app: 'web' } },
    );
  it('keeps the skew within maxSkew, counting the incoming pod', () => {
    const a = node('a', { labels: { zone: 'z1' } });
    const b = node('b', { labels: { zone: 'z2' } });
    place(a, pod({}, { labels: { app: 'web' } }));
    const plugin = podTopologySpread(lister([a, b]));
    const p = spread(1);
    const s = new CycleState();
    assert.ok(plugin.preFilter(s, p, [a, b]).isSuccess());
    const r = plugin.filter(s, p, a);
    assert.equal(r.code, Code.Unschedulable);
    assert.deepEqual(r.reasons, ["node(s) didn't match pod topology spread constraints"]);
    assert.ok(plugin.filter(s, p, b).isSuccess());
  });
  it('a node without the topology key is unresolvable; pods without constraints skip', () => {
    const a = node('a', { labels: { zone: 'z1' } });
    const bare = node('c');
    const plugin = podTopologySpread(lister([a, bare]));
    const s = new CycleState();
    plugin.preFilter(s, spread(1), [a, bare]);
    const r = plugin.filter(s, spread(1), bare);
    assert.equal(r.code, Code.UnschedulableAndUnresolvable);
    assert.deepEqual(r.reasons, [
      "node(s) didn't match pod topology spread constraints (missing required label)",
    ]);
    assert.equal(plugin.preFilter(new CycleState(), pod(), [a]).code, Code.Skip);
  });
});

describe('InterPodAffinity', () => {
  const term = (app: string) => ({
    labelSelector: { matchLabels: { app } },
    topologyKey: 'kubernetes.io/hostname',
  });
  it('required anti-affinity keeps replicas apart', () => {
    const a = node('a');
    const b = node('b');
    const replica = () =>
      pod(
        { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web')] } } },
        { labels: { app: 'web' } },
      );
    place(a, replica());
    const plugin = interPodAffinity(lister([a, b]));
    const s = new CycleState();
    const p = replica();
    plugin.preFilter(s, p, [a, b]);
    const r = plugin.filter(s, p, a);
    assert.equal(r.code, Code.Unschedulable);
    // the existing pod's anti-affinity is checked first
    assert.deepEqual(r.reasons, ["node(s) didn't satisfy existing pods anti-affinity rules"]);
    assert.ok(plugin.filter(s, p, b).isSuccess());
  });
  it('required affinity follows the matching pod; the first of a group may go anywhere', () => {
    const a = node('a');
    const b = node('b');
    place(a, pod({}, { labels: { app: 'db' } }));
    const plugin = interPodAffinity(lister([a, b]));
    const s = new CycleState();
    const p = pod({
      affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db')] } },
    });
    plugin.preFilter(s, p, [a, b]);
    assert.ok(plugin.filter(s, p, a).isSuccess());
    const r = plugin.filter(s, p, b);
    assert.equal(r.code, Code.UnschedulableAndUnresolvable);
    assert.deepEqual(r.reasons, ["node(s) didn't match pod affinity rules"]);
    const first = pod(
      { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('cache')] } } },
      { labels: { app: 'cache' } },
    );
    const s2 = new CycleState();
    plugin.preFilter(s2, first, [a, b]);
    assert.ok(plugin.filter(s2, first, b).isSuccess());
  });
  it('pods in other namespaces do not count unless the term names them', () => {
    const a = node('a');
    place(a, pod({}, { labels: { app: 'web' }, namespace: 'other' }));
    const plugin = interPodAffinity(lister([a]));
    const s = new CycleState();
    const p = pod({
      affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web')] } },
    });
    plugin.preFilter(s, p, [a]);
    assert.ok(plugin.filter(s, p, a).isSuccess());
  });
});
