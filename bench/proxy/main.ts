// kube-proxy sync benchmark (prints figures, asserts nothing): 1,000 services x 10 endpoints
// (configurable): time to compute the iptables-restore input, and, as root, time for the
// full iptables-restore into a fresh network namespace (first sync, then an unchanged resync).
// Usage: npm run build && node dist/bench/proxy/main.js [--services 1000] [--endpoints 10]
import { execFileSync, spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { buildRules } from '../../src/proxy/rules.js';
import { Iptables } from '../../src/proxy/iptables.js';
import type { Endpoint, ServicePort } from '../../src/proxy/model.js';

const { values } = parseArgs({
  options: { services: { type: 'string', default: '1000' }, endpoints: { type: 'string', default: '10' } },
});
const S = Number(values.services);
const E = Number(values.endpoints);

const ports: ServicePort[] = [];
const endpoints = new Map<string, Endpoint[]>();
for (let i = 0; i < S; i++) {
  const name = `bench/svc-${i}:http`;
  ports.push({
    name,
    namespace: 'bench',
    service: `svc-${i}`,
    portName: 'http',
    protocol: 'tcp',
    clusterIPs: [`10.43.${i >> 8}.${i & 255}`],
    port: 80,
    nodePort: 0,
    externalIPs: [],
    loadBalancerIPs: [],
    loadBalancerSourceRanges: [],
    sessionAffinityClientIP: false,
    stickyMaxAgeSeconds: 10800,
    externalPolicyLocal: false,
    internalPolicyLocal: false,
    healthCheckNodePort: 0,
  });
  endpoints.set(
    `${name}/tcp`,
    Array.from({ length: E }, (_, j) => ({
      ip: `10.42.${((i * E + j) >> 8) & 255}.${(i * E + j) & 255}`,
      port: 8080,
      ready: true,
      serving: true,
      terminating: false,
      nodeName: 'n',
    })),
  );
}

const t0 = performance.now();
const rules = buildRules(ports, endpoints, { nodeName: 'n', family: 'IPv4', clusterCIDR: '10.42.0.0/16' });
const text = rules.render();
const built = performance.now() - t0;
console.log(`kube-proxy iptables sync, ${S} services x ${E} endpoints`);
console.log(
  `  rules computed: ${built.toFixed(1)} ms (${rules.natRules} nat rules, ${rules.filterRules} filter rules, ${(text.length / 1024 / 1024).toFixed(1)} MB)`,
);

if (process.getuid?.() === 0 && spawnSync('iptables-restore', ['--version']).status === 0) {
  const ns = `k8ts-bench-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    for (const backend of ['auto', 'legacy'] as const) {
      const ipt = new Iptables('IPv4', ['ip', 'netns', 'exec', ns], backend);
      const time = async (label: string) => {
        const t = performance.now();
        await ipt.restore(text);
        console.log(
          `  iptables-restore (${backend === 'auto' ? 'host default' : backend}), ${label}: ${(performance.now() - t).toFixed(0)} ms`,
        );
      };
      await time('first full sync');
      await time('full resync (unchanged)');
    }
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
} else console.log('  (iptables-restore timing needs root and iptables)');
