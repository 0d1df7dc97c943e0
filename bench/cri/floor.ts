// The CRI-only floor of pod start-up (prints figures, asserts nothing): N busybox pods (sandbox
// + one `sleep` container each) started at once through our CRI client against the agent's own
// containerd, with no kubelet. The kubelet's "50 pods to Ready" figure is compared to this.
// Needs root + containerd. Usage: npm run build && node dist/bench/cri/floor.js [--pods 50]
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { PodSandboxConfig } from '../../src/cri/types.js';
import { ContainerdNode } from '../../src/kubelet/containerd/node.js';

const { values } = parseArgs({ options: { pods: { type: 'string', default: '50' } } });
const PODS = Number(values.pods);
const CGROUP_ROOT = '/k8ts-bench';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Proportional set size: shared pages (the shim binary) split among the processes using them. */
function pssOf(pid: number): number {
  try {
    return Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))![1]) * 1024;
  } catch {
    return 0;
  }
}

function rssOf(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

function shimPids(containerdPid: number): number[] {
  // Shims re-parent to init; they carry our containerd's socket address on their command line.
  const address = readFileSync(`/proc/${containerdPid}/cmdline`, 'utf8');
  const config = address.split('\0')[2] ?? '';
  const socket = config.replace(/config\.toml$/, 'containerd.sock');
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return cmd.includes('containerd-shim-runc-v2') && cmd.includes(socket);
      } catch {
        return false;
      }
    });
}

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;

const dataDir = mkdtempSync('/tmp/k8ts-bench-cri-');
const node = await ContainerdNode.start({
  dataDir,
  podCIDR: '10.244.240.0/22',
  bridge: 'k8tsbench0',
  buildTestImages: true,
  cgroupRoot: CGROUP_ROOT,
  registryMirror: false,
});
try {
  const cpid = node.supervisor.pid!;
  console.log(
    `containerd spawn → CRI ready: ${node.supervisor.lastReadyMs.toFixed(0)} ms; idle RSS ${mb(rssOf(cpid))}`,
  );
  const t0 = performance.now();
  const running = await Promise.all(
    Array.from({ length: PODS }, async (_, i) => {
      const uid = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      const config: PodSandboxConfig = {
        metadata: { name: `bench-${i}`, uid, namespace: 'default' },
        hostname: `bench-${i}`,
        log_directory: join(dataDir, 'pods', uid),
        linux: { cgroup_parent: `${CGROUP_ROOT}/pod${uid}` },
      };
      const sandbox = await node.cri.runPodSandbox(config);
      const id = await node.cri.createContainer(
        sandbox,
        {
          metadata: { name: 'c' },
          image: { image: 'busybox' },
          command: ['sleep', '3600'],
          log_path: 'c/0.log',
        },
        config,
      );
      await node.cri.startContainer(id);
      return performance.now() - t0;
    }),
  );
  running.sort((a, b) => a - b);
  console.log(
    `${PODS} pods through CRI alone: running p50 ${(percentile(running, 50) / 1000).toFixed(2)} s, ` +
      `p99 ${(percentile(running, 99) / 1000).toFixed(2)} s, all ${(running[running.length - 1] / 1000).toFixed(2)} s`,
  );
  const shims = shimPids(cpid);
  const shimPss = shims.reduce((a, p) => a + pssOf(p), 0);
  console.log(
    `containerd RSS with ${PODS} pods ${mb(rssOf(cpid))}; ${shims.length} shims PSS ${mb(shimPss)}`,
  );
  const t1 = performance.now();
  await node.removeAllPods();
  console.log(`stop+remove ${PODS} pods: ${((performance.now() - t1) / 1000).toFixed(2)} s (8 at a time)`);
} finally {
  await node.removeAllPods().catch(() => 0);
  await node.stop();
  await node.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
}
