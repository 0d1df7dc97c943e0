// Reads what /metrics/resource reports: the containers' CPU and working set from the runtime
// (CRI ListContainerStats, which containerd answers from the containers' cgroups) and the
// node's from /proc (busy CPU time of all cores; memory in use but not reclaimable).
import { readFileSync } from 'node:fs';
import type { CriClient } from '../../cri/client.js';
import type { ContainerUsage, NodeUsage, UsagePoint } from './resource-metrics.js';

const USER_HZ = 100;

/** /proc/stat's first line: every state but idle and iowait is busy time. */
export function nodeCpuSeconds(procStat: string): number {
  const cpu = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (!cpu) return 0;
  const f = cpu.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f;
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / USER_HZ;
}

/** Total minus available memory, as a working set the kernel cannot simply drop. */
export function nodeMemoryWorkingSet(meminfo: string): number {
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(meminfo)?.[1] ?? 0) * 1024;
  return Math.max(0, kb('MemTotal') - kb('MemAvailable'));
}

export function readNodeUsage(now = Date.now()): UsagePoint {
  return {
    cpuSeconds: nodeCpuSeconds(readFileSync('/proc/stat', 'utf8')),
    memoryBytes: nodeMemoryWorkingSet(readFileSync('/proc/meminfo', 'utf8')),
    timestampMs: now,
  };
}

const nsToMs = (ns: string | undefined, fallback: number) =>
  ns && ns !== '0' ? Math.floor(Number(BigInt(ns) / 1_000_000n)) : fallback;

export async function collectNodeUsage(cri: CriClient): Promise<NodeUsage> {
  const node = readNodeUsage();
  try {
    const [stats, containers] = await Promise.all([cri.listContainerStats(), cri.listContainers()]);
    const running = new Map(containers.filter((c) => c.state === 'CONTAINER_RUNNING').map((c) => [c.id, c]));
    const out: ContainerUsage[] = [];
    for (const s of stats) {
      const c = running.get(s.attributes.id);
      const l = s.attributes.labels ?? {};
      if (!c || !l['io.kubernetes.pod.name']) continue;
      out.push({
        namespace: l['io.kubernetes.pod.namespace'] ?? '',
        pod: l['io.kubernetes.pod.name'],
        container: l['io.kubernetes.container.name'] ?? s.attributes.metadata.name,
        cpuSeconds: Number(s.cpu?.usage_core_nano_seconds?.value ?? 0) / 1e9,
        memoryBytes: Number(s.memory?.working_set_bytes?.value ?? 0),
        timestampMs: nsToMs(s.cpu?.timestamp, node.timestampMs),
        startTimeSeconds: Number(BigInt(c.created_at || '0') / 1_000_000_000n),
      });
    }
    return { node, containers: out, scrapeError: false };
  } catch {
    return { node, containers: [], scrapeError: true };
  }
}
