// Process-level sources of /stats/summary: the `kubelet` and `runtime` system containers and
// each pod's process_stats. Upstream reads these from cgroups through cadvisor (the kubelet's
// and containerd's cgroups, the pod cgroup); k8ts runs the kubelet inside its own process and
// usually shares a cgroup with other software, so the system containers are the process trees
// of the k8ts process and of containerd, read from /proc. A pod's process count is what its
// cgroup holds (cgroup.procs of the pod cgroup and every container cgroup below it).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiTime } from './summary-sources.js';

/** USER_HZ: the unit of /proc/<pid>/stat times (100 on every Linux ABI Node supports). */
const TICKS_PER_SECOND = 100;

export interface ProcStat {
  pid: number;
  ppid: number;
  /** user + system time, in ticks. */
  cpuTicks: number;
  minorFaults: number;
  majorFaults: number;
  /** Start, in ticks after boot. */
  startTicks: number;
}

/** One /proc/<pid>/stat line; the command may contain spaces and parentheses. */
export function parseProcStat(line: string): ProcStat | undefined {
  const close = line.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number(line.slice(0, line.indexOf(' ')));
  // fields from the 3rd (state) on; field n (1-based, as in proc(5)) is f[n - 3]
  const f = line
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const n = (i: number) => Number(f[i - 3] ?? 0);
  return {
    pid,
    ppid: n(4),
    cpuTicks: n(14) + n(15),
    minorFaults: n(10),
    majorFaults: n(12),
    startTicks: n(22),
  };
}

function readStat(procDir: string, pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(join(procDir, String(pid), 'stat'), 'utf8'));
  } catch {
    return undefined; // exited meanwhile
  }
}

/** `root` and every process descending from it, less the subtrees rooted at `prune`. */
export function processTree(root: number, procDir = '/proc', prune: number[] = []): ProcStat[] {
  const all = readdirSync(procDir)
    .filter((e) => /^\d+$/.test(e))
    .flatMap((e) => readStat(procDir, Number(e)) ?? []);
  const children = new Map<number, ProcStat[]>();
  for (const s of all) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const top = all.find((s) => s.pid === root);
  if (!top) return [];
  const out: ProcStat[] = [];
  const visit = (s: ProcStat) => {
    out.push(s);
    for (const c of children.get(s.pid) ?? []) if (!prune.includes(c.pid)) visit(c);
  };
  visit(top);
  return out;
}

/** VmRSS and RssAnon of a process, in bytes (0 for kernel threads and exited ones). */
export function processMemory(pid: number, procDir = '/proc'): { rss: number; anon: number } {
  let status = '';
  try {
    status = readFileSync(join(procDir, String(pid), 'status'), 'utf8');
  } catch {
    return { rss: 0, anon: 0 };
  }
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s*(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon') };
}

/** A stats/v1alpha1 ContainerStats for a system container made of a process tree. */
export class SystemContainer {
  private last?: { ticks: number; ms: number };

  constructor(
    readonly name: 'kubelet' | 'runtime',
    private readonly pid: () => number | undefined,
    private readonly procDir = '/proc',
    /** Processes below `pid` that are another system container (k8ts spawns containerd). */
    private readonly others: () => (number | undefined)[] = () => [],
  ) {}

  /** undefined while the process is not running (containerd restarting). */
  stats(now: number, bootMs: number): Record<string, unknown> | undefined {
    const pid = this.pid();
    if (!pid) return undefined;
    const prune = this.others().filter((p): p is number => p !== undefined);
    const tree = processTree(pid, this.procDir, prune);
    if (!tree.length) return undefined;
    const ticks = tree.reduce((a, s) => a + s.cpuTicks, 0);
    const cpu: Record<string, unknown> = {
      time: apiTime(now),
      usageCoreNanoSeconds: Math.round((ticks * 1e9) / TICKS_PER_SECOND),
    };
    const last = this.last;
    this.last = { ticks, ms: now };
    if (last && now > last.ms)
      cpu.usageNanoCores = Math.max(
        0,
        Math.round(((ticks - last.ticks) * 1e9 * 1000) / TICKS_PER_SECOND / (now - last.ms)),
      );
    const mem = tree.map((s) => processMemory(s.pid, this.procDir));
    const rss = mem.reduce((a, m) => a + m.rss, 0);
    return {
      name: this.name,
      startTime: apiTime(bootMs + (tree[0].startTicks * 1000) / TICKS_PER_SECOND),
      cpu,
      memory: {
        time: apiTime(now),
        usageBytes: rss,
        workingSetBytes: rss,
        rssBytes: mem.reduce((a, m) => a + m.anon, 0),
        pageFaults: tree.reduce((a, s) => a + s.minorFaults, 0),
        majorPageFaults: tree.reduce((a, s) => a + s.majorFaults, 0),
      },
    };
  }
}

/**
 * Processes in a cgroup subtree (cgroup.procs of it and every cgroup below), looked up in the
 * first hierarchy that has it; undefined when no hierarchy has it (the pod has no cgroup yet).
 */
export function cgroupProcessCount(hierarchies: string[], cgroup: string): number | undefined {
  const rel = cgroup.replace(/^\/+/, '');
  for (const h of hierarchies) {
    const dir = join(h, rel);
    if (!existsSync(join(dir, 'cgroup.procs'))) continue;
    const pids = new Set<string>();
    const walk = (d: string) => {
      try {
        for (const p of readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n')) if (p) pids.add(p);
        for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name));
      } catch {
        // a container cgroup removed meanwhile
      }
    };
    walk(dir);
    return pids.size;
  }
  return undefined;
}
