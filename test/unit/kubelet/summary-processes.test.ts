// /stats/summary beyond the CRI: /proc/<pid>/stat parsing, process trees, the `kubelet`,
// `runtime` and `pods` system containers (stats/v1alpha1 names), each pod's
// process_stats.process_count from its cgroup, and per-container rootfs/logs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CriClient } from '../../../src/cri/client.js';
import {
  cgroupProcessCount,
  parseProcStat,
  processMemory,
  processTree,
  SystemContainer,
} from '../../../src/kubelet/stats/processes.js';
import { SummaryCollector } from '../../../src/kubelet/stats/summary.js';

// pid 42, command with a space and a parenthesis; utime 300 stime 200, minflt 7, majflt 2, start 1000
const stat = (pid: number, ppid: number, comm = 'a b)') =>
  `${pid} (${comm}) S ${ppid} 1 1 0 -1 0 7 0 2 0 300 200 0 0 20 0 1 0 1000 100 10 0`;

function fakeProc(): string {
  const dir = mkdtempSync(join(tmpdir(), 'proc-'));
  const add = (pid: number, ppid: number, rssKb: number) => {
    mkdirSync(join(dir, String(pid)));
    writeFileSync(join(dir, String(pid), 'stat'), stat(pid, ppid));
    writeFileSync(
      join(dir, String(pid), 'status'),
      `Name:\tx\nVmRSS:\t  ${rssKb} kB\nRssAnon:\t  ${rssKb / 2} kB\n`,
    );
  };
  add(42, 1, 1000);
  add(43, 42, 200);
  add(44, 43, 100);
  add(50, 1, 5000); // not in the tree
  mkdirSync(join(dir, 'self'));
  return dir;
}

describe('summary: processes', () => {
  it('parses /proc/<pid>/stat with spaces and parentheses in the command', () => {
    assert.deepEqual(parseProcStat(stat(42, 7)), {
      pid: 42,
      ppid: 7,
      cpuTicks: 500,
      minorFaults: 7,
      majorFaults: 2,
      startTicks: 1000,
    });
    assert.equal(parseProcStat('garbage'), undefined);
  });

  it('a process tree holds the root and its descendants only; memory from status', () => {
    const proc = fakeProc();
    try {
      assert.deepEqual(
        processTree(42, proc).map((s) => s.pid),
        [42, 43, 44],
      );
      assert.deepEqual(processTree(99, proc), []);
      assert.deepEqual(
        processTree(42, proc, [43]).map((s) => s.pid),
        [42],
        'a pruned child takes its subtree along',
      );
      assert.deepEqual(processMemory(43, proc), { rss: 200 * 1024, anon: 100 * 1024 });
    } finally {
      rmSync(proc, { recursive: true, force: true });
    }
  });

  it('a system container sums its tree: cumulative CPU, a rate from the second sample on, memory', () => {
    const proc = fakeProc();
    try {
      const c = new SystemContainer('runtime', () => 42, proc);
      const boot = Date.UTC(2026, 0, 1);
      const first = c.stats(boot + 60_000, boot)!;
      assert.equal(first.name, 'runtime');
      assert.equal(first.startTime, '2026-01-01T00:00:10Z', '1000 ticks after boot');
      assert.deepEqual(first.cpu, { time: '2026-01-01T00:01:00Z', usageCoreNanoSeconds: 15e9 });
      assert.deepEqual(first.memory, {
        time: '2026-01-01T00:01:00Z',
        usageBytes: 1300 * 1024,
        workingSetBytes: 1300 * 1024,
        rssBytes: 650 * 1024,
        pageFaults: 21,
        majorPageFaults: 6,
      });
      writeFileSync(join(proc, '42', 'stat'), stat(42, 1).replace(' 300 200 ', ' 400 200 '));
      const second = c.stats(boot + 70_000, boot)!;
      // 100 more ticks (1 s of CPU) in 10 s: 0.1 core
      assert.equal((second.cpu as { usageNanoCores: number }).usageNanoCores, 1e8);
      assert.equal(new SystemContainer('kubelet', () => undefined, proc).stats(0, 0), undefined);
    } finally {
      rmSync(proc, { recursive: true, force: true });
    }
  });

  it('process count: cgroup.procs of the pod cgroup and the container cgroups below it', () => {
    const root = mkdtempSync(join(tmpdir(), 'cg-'));
    try {
      const pod = join(root, 'pids', 'k8ts', 'podU');
      mkdirSync(join(pod, 'sandbox'), { recursive: true });
      mkdirSync(join(pod, 'app'), { recursive: true });
      mkdirSync(join(root, 'memory'));
      writeFileSync(join(pod, 'cgroup.procs'), '');
      writeFileSync(join(pod, 'sandbox', 'cgroup.procs'), '100\n');
      writeFileSync(join(pod, 'app', 'cgroup.procs'), '200\n201\n202\n');
      const hs = [join(root, 'memory'), join(root, 'pids')];
      assert.equal(cgroupProcessCount(hs, '/k8ts/podU'), 4);
      assert.equal(cgroupProcessCount(hs, '/k8ts/other'), undefined);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('summary: shape', () => {
  it('systemContainers kubelet, runtime, pods; process_stats; container rootfs and logs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sum-'));
    const runtime = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const cg = join(dir, 'cgroup');
      mkdirSync(join(cg, 'k8ts', 'podU', 'c1'), { recursive: true });
      writeFileSync(join(cg, 'cgroup.controllers'), ''); // a unified (v2) root
      writeFileSync(join(cg, 'k8ts', 'podU', 'cgroup.procs'), '10\n');
      writeFileSync(join(cg, 'k8ts', 'podU', 'c1', 'cgroup.procs'), '11\n12\n');
      mkdirSync(join(dir, 'logs', 'app'), { recursive: true });
      writeFileSync(join(dir, 'logs', 'app', '0.log'), 'hello\n');
      const cri = {
        listContainerStats: async () => [
          {
            attributes: {
              id: 'c1',
              metadata: { name: 'app' },
              labels: { 'io.kubernetes.pod.uid': 'U', 'io.kubernetes.container.name': 'app' },
            },
            cpu: { timestamp: '0', usage_core_nano_seconds: { value: '5000' } },
            memory: { timestamp: '0', working_set_bytes: { value: '4096' }, usage_bytes: { value: '8192' } },
            writable_layer: { timestamp: '0', used_bytes: { value: '12288' }, inodes_used: { value: '3' } },
          },
        ],
        listContainers: async () => [{ id: 'c1', created_at: '1700000000000000000' }],
        podSandboxStatus: async () => ({ info: {} }),
      } as unknown as CriClient;
      const s = new SummaryCollector({
        cri,
        rootDir: dir,
        imageFsDir: dir,
        pods: () => [
          {
            name: 'p',
            namespace: 'ns',
            uid: 'U',
            sandboxId: '',
            logDir: (c) => join(dir, 'logs', c),
            volumes: [],
            cgroupParent: '/k8ts/podU',
          },
        ],
        runtimePid: () => runtime.pid,
        cgroupRoot: cg,
      });
      const sum = (await s.collect('n1')) as {
        node: { systemContainers: { name: string; cpu: object; memory: { workingSetBytes: number } }[] };
        pods: {
          process_stats?: { process_count: number };
          containers: { name: string; rootfs: { usedBytes: number }; logs: { usedBytes: number } }[];
        }[];
      };
      assert.deepEqual(
        sum.node.systemContainers.map((c) => c.name),
        ['kubelet', 'runtime', 'pods'],
      );
      for (const c of sum.node.systemContainers) {
        assert.ok('usageCoreNanoSeconds' in c.cpu, c.name);
        assert.ok(c.memory.workingSetBytes >= 0, c.name);
      }
      assert.ok(sum.node.systemContainers[0].memory.workingSetBytes > 0, 'this process has memory');
      assert.deepEqual(sum.pods[0].process_stats, { process_count: 3 });
      const [app] = sum.pods[0].containers;
      assert.equal(app.name, 'app');
      assert.equal(app.rootfs.usedBytes, 12288);
      assert.ok(app.logs.usedBytes > 0);
    } finally {
      runtime.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
