// The scheduling algorithm alone (no API server, no network): the default profile placing P
// pods on N nodes in the scheduler's cache, as scheduler_perf measures upstream's. Prints
// decisions per second and p50/p99 per-decision latency for plain pods, pods with a topology
// spread constraint and pods with required anti-affinity.
// Usage: npm run build && node dist/bench/scheduler/algorithm.js [--nodes 1000] [--pods 30000]
import { parseArgs } from 'node:util';
import { Placement } from '../../src/scheduler/algorithm.js';
import { SchedulerCache } from '../../src/scheduler/cache.js';
import { Framework } from '../../src/scheduler/framework/runtime.js';
import type { Node, Pod } from '../../src/scheduler/framework/types.js';
import { defaultProfile } from '../../src/scheduler/profile.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    pods: { type: 'string', default: '30000' },
    phases: { type: 'string', default: 'plain,spread,anti' },
  },
});
const NODES = Number(values.nodes);
const PODS = Number(values.pods);

function makeNode(i: number): Node {
  const name = `sim-node-${i}`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, zone: `z${i % 3}` } },
    spec: {},
    status: { allocatable: { cpu: '8', memory: '32Gi', pods: '110', 'ephemeral-storage': '100Gi' } },
  };
}

function makePod(phase: string, i: number): Pod {
  const labels = { app: `${phase}-${i % 10}` };
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${phase}-${i}`, namespace: 'bench', uid: `${phase}-${i}`, labels },
    spec: {
      schedulerName: 'default-scheduler',
      containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
    },
  };
  const labelSelector = { matchLabels: labels };
  if (phase === 'spread')
    pod.spec.topologySpreadConstraints = [
      {
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector,
      },
    ];
  if (phase === 'anti')
    pod.spec.affinity = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector, topologyKey: 'kubernetes.io/hostname' },
        ],
      },
    };
  return pod;
}

function run(phase: string, count: number): void {
  const cache = new SchedulerCache();
  for (let i = 0; i < NODES; i++) cache.setNode(makeNode(i));
  const holder: { fwk?: Framework } = {};
  const fwk = (holder.fwk = new Framework(
    defaultProfile({
      nodes: () => cache.list(),
      antiAffinityPods: () => cache.antiAffinityPods(),
      filter: (s, p, n) => holder.fwk!.runFilters(s, p, n),
      preempt: () => undefined,
    }),
  ));
  const placement = new Placement();
  const lat: number[] = [];
  let failed = 0;
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const pod = makePod(phase, i);
    const s = performance.now();
    const d = placement.decide(fwk, pod, cache.list());
    if ('host' in d) cache.assume(pod, d.host);
    else failed++;
    lat.push(performance.now() - s);
  }
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const p = (q: number) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))].toFixed(2);
  console.log(
    `${phase.padEnd(6)} ${count} pods on ${NODES} nodes: ${(count / secs).toFixed(0)} pods/s, per decision p50 ${p(0.5)} ms p99 ${p(0.99)} ms${failed ? `, ${failed} unschedulable` : ''}`,
  );
}

// required anti-affinity: at most one pod of each of the 10 apps per node
for (const phase of values.phases!.split(','))
  run(phase, phase === 'anti' ? Math.min(PODS, NODES * 10) : PODS);
