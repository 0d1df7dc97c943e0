// FitError texts, the queue's order and backoff, preemption and the feasible-node count.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fitErrorMessage } from '../../../src/scheduler/framework/fit-error.js';
import {
  Code,
  CycleState,
  Status,
  unresolvable,
  unschedulable,
} from '../../../src/scheduler/framework/types.js';
import { Framework } from '../../../src/scheduler/framework/runtime.js';
import { defaultProfile } from '../../../src/scheduler/profile.js';
import { SchedulingQueue } from '../../../src/scheduler/queue.js';
import { prioritySort } from '../../../src/scheduler/plugins/priority-sort.js';
import { numFeasibleNodesToFind } from '../../../src/scheduler/algorithm.js';
import type { NodeInfo } from '../../../src/scheduler/framework/node-info.js';
import type { DisruptionBudget } from '../../../src/scheduler/plugins/preemption-pdb.js';
import { node, place, pod, requesting } from './helpers.js';

describe('FitError message', () => {
  it('counts reasons over nodes, sorts "<n> <reason>" as strings, appends the preemption text', () => {
    const statuses = new Map<string, Status>([
      ['a', unschedulable('Insufficient cpu')],
      ['b', unresolvable('node(s) had untolerated taint {k: v}')],
      ['c', unschedulable('Insufficient cpu', 'Insufficient memory')],
    ]);
    assert.equal(
      fitErrorMessage(3, { statuses, unschedulablePlugins: new Set(), postFilterMsg: 'preemption: x.' }),
      '0/3 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {k: v}, 2 Insufficient cpu. preemption: x.',
    );
  });
  it('a PreFilter rejection replaces the per-node histogram', () => {
    assert.equal(
      fitErrorMessage(2, { statuses: new Map(), unschedulablePlugins: new Set(), preFilterMsg: 'x failed' }),
      '0/2 nodes are available: x failed.',
    );
  });
});

describe('default profile with preemption', () => {
  function setup(nodes: NodeInfo[], budgets: DisruptionBudget[] = []) {
    const evicted: string[] = [];
    const holder: { fwk?: Framework } = {};
    const profile = defaultProfile({
      nodes: () => nodes,
      antiAffinityPods: () => [],
      filter: (s, p, n) => holder.fwk!.runFilters(s, p, n),
      preempt: (_p, _n, victims) => evicted.push(...victims.map((v) => v.metadata.name ?? '')),
      budgets: () => budgets,
    });
    const fwk = (holder.fwk = new Framework(profile));
    return { fwk, evicted };
  }
  const big = (priority?: number) => pod({ priority, containers: [requesting({ cpu: '100' })] });

  it("nothing to preempt: the issue's message, to the letter", () => {
    const nodes = [node('n1', { alloc: { cpu: '8', memory: '32Gi', pods: '110' } })];
    const { fwk } = setup(nodes);
    const s = new CycleState();
    const p = big();
    fwk.runPreFilter(s, p, nodes);
    const statuses = new Map([['n1', fwk.runFilters(s, p, nodes[0])]]);
    const post = fwk.runPostFilter(s, p, statuses);
    assert.equal(
      fitErrorMessage(1, { statuses, unschedulablePlugins: new Set(), postFilterMsg: post.status.message() }),
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    );
  });

  it('unresolvable nodes are "not helpful"; preemptionPolicy Never is not eligible', () => {
    const nodes = [node('n1', { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }), node('n2')];
    const { fwk } = setup(nodes);
    const s = new CycleState();
    const p = big();
    fwk.runPreFilter(s, p, nodes);
    const statuses = new Map(nodes.map((n) => [n.name, fwk.runFilters(s, p, n)]));
    const post = fwk.runPostFilter(s, p, statuses);
    assert.equal(
      post.status.message(),
      'preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.',
    );
    const never = pod({ preemptionPolicy: 'Never', containers: [requesting({ cpu: '100' })] });
    assert.equal(
      fwk.runPostFilter(s, never, statuses).status.message(),
      'preemption: not eligible due to preemptionPolicy=Never.',
    );
  });

  it('evicts the fewest lower-priority pods that make room', () => {
    const n = node('n1', { alloc: { cpu: '4', memory: '8Gi', pods: '110' } });
    place(n, pod({ priority: 0, containers: [requesting({ cpu: '2' })] }, { name: 'low1' }));
    place(n, pod({ priority: 0, containers: [requesting({ cpu: '1' })] }, { name: 'low2' }));
    place(n, pod({ priority: 2000, containers: [requesting({ cpu: '1' })] }, { name: 'high' }));
    const { fwk, evicted } = setup([n]);
    const p = pod({ priority: 1000, containers: [requesting({ cpu: '2' })] });
    const s = new CycleState();
    fwk.runPreFilter(s, p, [n]);
    const statuses = new Map([['n1', fwk.runFilters(s, p, n)]]);
    assert.equal(statuses.get('n1')!.code, Code.Unschedulable);
    const post = fwk.runPostFilter(s, p, statuses);
    assert.ok(post.status.isSuccess());
    assert.equal(post.nominatedNodeName, 'n1');
    assert.deepEqual(evicted, ['low1']);
  });

  const budget = (
    allowed: number,
    labels: Record<string, string>,
    disrupted: string[] = [],
  ): DisruptionBudget => ({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'pdb', namespace: 'default' },
    spec: { selector: { matchLabels: labels } },
    status: {
      disruptionsAllowed: allowed,
      disruptedPods: Object.fromEntries(disrupted.map((n) => [n, '2024-01-01T00:00:00Z'])),
    },
  });
  /** Two nodes, each with one low-priority 3-cpu pod; the incoming pod needs 2 of 4 cpus. */
  function twoNodes() {
    const [a, b] = [node('a'), node('b')];
    place(
      a,
      pod(
        { priority: 0, containers: [requesting({ cpu: '3' })] },
        { name: 'guarded', labels: { app: 'db' } },
      ),
    );
    place(
      b,
      pod({ priority: 0, containers: [requesting({ cpu: '3' })] }, { name: 'free', labels: { app: 'web' } }),
    );
    return [a, b];
  }
  function preempt(nodes: NodeInfo[], budgets: DisruptionBudget[]) {
    const { fwk, evicted } = setup(nodes, budgets);
    const p = pod({ priority: 1000, containers: [requesting({ cpu: '2' })] });
    const s = new CycleState();
    fwk.runPreFilter(s, p, nodes);
    const post = fwk.runPostFilter(s, p, new Map(nodes.map((n) => [n.name, fwk.runFilters(s, p, n)])));
    return { node: post.nominatedNodeName, evicted };
  }

  it('picks the node whose victims keep their PodDisruptionBudget', () => {
    // without a budget the first node wins the tie; a budget allowing no disruption moves it
    assert.deepEqual(preempt(twoNodes(), []), { node: 'a', evicted: ['guarded'] });
    assert.deepEqual(preempt(twoNodes(), [budget(0, { app: 'db' })]), { node: 'b', evicted: ['free'] });
    // a budget that still allows one disruption is not violated
    assert.deepEqual(preempt(twoNodes(), [budget(1, { app: 'db' })]), { node: 'a', evicted: ['guarded'] });
  });

  it('budgets with an empty selector, in another namespace, or already counting the pod do not protect it', () => {
    const other: DisruptionBudget = {
      ...budget(0, { app: 'db' }),
      metadata: { name: 'x', namespace: 'other' },
    };
    for (const b of [budget(0, {}), other, budget(0, { app: 'db' }, ['guarded'])])
      assert.deepEqual(preempt(twoNodes(), [b]), { node: 'a', evicted: ['guarded'] });
  });

  it('when every node violates a budget, evicts there anyway (fewest violations first)', () => {
    const nodes = twoNodes();
    assert.deepEqual(
      preempt(nodes, [
        budget(0, { app: 'db' }),
        { ...budget(0, { app: 'web' }), metadata: { name: 'w', namespace: 'default' } },
      ]),
      {
        node: 'a',
        evicted: ['guarded'],
      },
    );
  });
});

describe('scheduling queue', () => {
  it('pops higher priority first, then older', async () => {
    let t = 0;
    const q = new SchedulingQueue(prioritySort, () => t);
    const a = pod({ priority: 0 }, { name: 'a' });
    const b = pod({ priority: 10 }, { name: 'b' });
    const c = pod({ priority: 0 }, { name: 'c' });
    q.add(a);
    t = 1;
    q.add(b);
    t = 2;
    q.add(c);
    assert.deepEqual(
      [(await q.pop())!.key, (await q.pop())!.key, (await q.pop())!.key],
      ['default/b', 'default/a', 'default/c'],
    );
    q.close();
  });
  it('backs off 1 s doubling to 10 s; unschedulable pods wait for a cluster event', async () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((n) => SchedulingQueue.backoffDuration(n)),
      [1000, 2000, 4000, 8000, 10000, 10000],
    );
    let t = 0;
    const q = new SchedulingQueue(prioritySort, () => t);
    q.add(pod({}, { name: 'x' }));
    const p = (await q.pop())!;
    q.addUnschedulable(p, true);
    assert.deepEqual(q.pendingCounts, { active: 0, backoff: 0, unschedulable: 1 });
    q.moveAllToActiveOrBackoff();
    assert.deepEqual(q.pendingCounts, { active: 0, backoff: 1, unschedulable: 0 });
    t = 1000;
    q.flush();
    assert.deepEqual(q.pendingCounts, { active: 1, backoff: 0, unschedulable: 0 });
    // an event during the attempt sends the pod to backoff, not to unschedulable
    const again = (await q.pop())!;
    q.moveAllToActiveOrBackoff();
    q.addUnschedulable(again, true);
    assert.deepEqual(q.pendingCounts, { active: 0, backoff: 1, unschedulable: 0 });
    q.close();
  });
});

describe('numFeasibleNodesToFind', () => {
  it("all nodes below 100, then upstream's adaptive percentage", () => {
    assert.equal(numFeasibleNodesToFind(50), 50);
    assert.equal(numFeasibleNodesToFind(100), 100);
    assert.equal(numFeasibleNodesToFind(1000), 420);
    assert.equal(numFeasibleNodesToFind(5000), 500);
  });
});
