// The kubelet's /stats/summary (stats/v1alpha1 Summary, as upstream's CRI stats provider):
// the node's CPU, memory, network, filesystems (the kubelet's root, containerd's image
// filesystem) and process limits from /proc and statfs; per pod its containers' CPU and
// memory (CRI ListContainerStats, containerd reading the cgroups), writable layer and log
// usage, the pod's network (its sandbox's network namespace), volumes, ephemeral storage and
// process count; the node's system containers `kubelet`, `runtime` and `pods` (processes.ts).
import { existsSync, readFileSync } from 'node:fs';
import type { CriClient } from '../../cri/client.js';
import type { ContainerStats } from '../../cri/types.js';
import { cgroupHierarchies } from '../containerd/cgroups.js';
import { nodeCpuSeconds } from './collect.js';
import { cgroupProcessCount, SystemContainer } from './processes.js';
import {
  apiTime,
  bootTime,
  defaultInterface,
  directoryFs,
  filesystem,
  interfaces,
  meminfo,
  rlimit,
  type FsStats,
} from './summary-sources.js';

type Json = Record<string, unknown>;

/** A pod the runtime runs, with where its files are. */
export interface SummaryPod {
  name: string;
  namespace: string;
  uid: string;
  sandboxId: string;
  startTime?: string;
  /** Directory of each container's logs (<pod dir>/logs/<container>). */
  logDir: (container: string) => string;
  /** The pod's volumes with their host directories (emptyDir, configMap, secret, ...). */
  volumes: { name: string; dir: string; pvcRef?: { name: string; namespace: string } }[];
  /** The pod cgroup (cgroup_parent of its sandbox), relative to the hierarchy roots. */
  cgroupParent?: string;
}

export interface SummaryDeps {
  cri: CriClient;
  /** The kubelet's root directory (node fs, container logs). */
  rootDir: string;
  /** containerd's root (image filesystem and writable layers). */
  imageFsDir: string;
  pods: () => SummaryPod[];
  /** containerd's pid, for the `runtime` system container (undefined: not running). */
  runtimePid?: () => number | undefined;
  /** The kubelet's pid (this process unless told), for the `kubelet` system container. */
  kubeletPid?: () => number | undefined;
  /** Where the cgroup hierarchies are mounted (tests point it elsewhere). */
  cgroupRoot?: string;
}

const num = (v: { value: string | number } | null | undefined) => (v ? Number(v.value) : undefined);
const nsTime = (ns: string | undefined, fallback: number) =>
  apiTime(ns && ns !== '0' ? Number(BigInt(ns) / 1_000_000n) : fallback);

export class SummaryCollector {
  /** The previous node CPU sample, for usageNanoCores (a rate). */
  private lastCpu?: { seconds: number; ms: number };
  private readonly system: SystemContainer[];

  constructor(private readonly deps: SummaryDeps) {
    this.system = [
      new SystemContainer('kubelet', deps.kubeletPid ?? (() => process.pid), '/proc', () => [
        deps.runtimePid?.(),
      ]),
      ...(deps.runtimePid ? [new SystemContainer('runtime', deps.runtimePid)] : []),
    ];
  }

  async collect(nodeName: string, now = Date.now()): Promise<Json> {
    const [stats, containers, imageFs] = await Promise.all([
      this.deps.cri.listContainerStats(),
      this.deps.cri.listContainers({ state: { state: 'CONTAINER_RUNNING' } }),
      Promise.resolve(filesystem(this.deps.imageFsDir, now)),
    ]);
    const created = new Map(containers.map((c) => [c.id, Number(BigInt(c.created_at || '0') / 1_000_000n)]));
    const running = stats.filter((s) => created.has(s.attributes.id));
    const pods = await Promise.all(this.deps.pods().map((p) => this.pod(p, running, created, imageFs, now)));
    return { node: this.node(nodeName, now, imageFs, pods), pods };
  }

  private node(nodeName: string, now: number, imageFs: FsStats, pods: Json[]): Json {
    const seconds = nodeCpuSeconds(readFileSync('/proc/stat', 'utf8'));
    const last = this.lastCpu;
    this.lastCpu = { seconds, ms: now };
    const cpu: Json = { time: apiTime(now), usageCoreNanoSeconds: Math.round(seconds * 1e9) };
    if (last && now > last.ms)
      cpu.usageNanoCores = Math.round(((seconds - last.seconds) * 1e9 * 1000) / (now - last.ms));
    const mem = meminfo(readFileSync('/proc/meminfo', 'utf8'));
    const memory = {
      time: apiTime(now),
      availableBytes: mem.available,
      usageBytes: mem.total - mem.free,
      workingSetBytes: mem.total - mem.available,
    };
    const ifaces = interfaces(readFileSync('/proc/net/dev', 'utf8'));
    const main = defaultInterface(readFileSync('/proc/net/route', 'utf8'));
    const primary = ifaces.find((i) => i.name === main) ?? ifaces[0];
    const sum = (
      k: 'usageCoreNanoSeconds' | 'usageNanoCores' | 'workingSetBytes' | 'usageBytes',
      part: string,
    ) => pods.reduce((a, p) => a + Number(((p[part] ?? {}) as Json)[k] ?? 0), 0);
    const up = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    const system = this.system.flatMap((c) => c.stats(now, now - up * 1000) ?? []);
    return {
      nodeName,
      systemContainers: [
        ...system,
        {
          name: 'pods',
          startTime: bootTime(now),
          cpu: {
            time: apiTime(now),
            usageNanoCores: sum('usageNanoCores', 'cpu'),
            usageCoreNanoSeconds: sum('usageCoreNanoSeconds', 'cpu'),
          },
          memory: {
            time: apiTime(now),
            usageBytes: sum('usageBytes', 'memory'),
            workingSetBytes: sum('workingSetBytes', 'memory'),
          },
        },
      ],
      startTime: bootTime(now),
      cpu,
      memory,
      network: { time: apiTime(now), ...(primary ?? {}), interfaces: ifaces },
      fs: filesystem(this.deps.rootDir, now),
      runtime: { imageFs, containerFs: imageFs },
      rlimit: rlimit(now),
    };
  }

  private async pod(
    p: SummaryPod,
    stats: ContainerStats[],
    created: Map<string, number>,
    imageFs: FsStats,
    now: number,
  ): Promise<Json> {
    const mine = stats.filter((s) => s.attributes.labels?.['io.kubernetes.pod.uid'] === p.uid);
    const containers = mine.map((s) =>
      this.container(p, s, created.get(s.attributes.id) ?? now, imageFs, now),
    );
    const total = (part: string, k: string) =>
      containers.reduce((a, c) => a + Number(((c[part] ?? {}) as Json)[k] ?? 0), 0);
    const volume = p.volumes
      .filter((v) => existsSync(v.dir))
      .map((v) => ({ ...directoryFs(v.dir, now), name: v.name, ...(v.pvcRef ? { pvcRef: v.pvcRef } : {}) }));
    // upstream: writable layers + logs + the pod's local volumes (not persistent ones)
    const local = volume.filter((v) => !v.pvcRef);
    const ephemeral: FsStats = {
      ...filesystem(this.deps.rootDir, now),
      usedBytes:
        total('rootfs', 'usedBytes') +
        total('logs', 'usedBytes') +
        local.reduce((a, v) => a + (v.usedBytes ?? 0), 0),
      inodesUsed:
        total('rootfs', 'inodesUsed') +
        total('logs', 'inodesUsed') +
        local.reduce((a, v) => a + (v.inodesUsed ?? 0), 0),
    };
    const out: Json = {
      podRef: { name: p.name, namespace: p.namespace, uid: p.uid },
      startTime: p.startTime ?? apiTime(now),
      containers,
      cpu: {
        time: apiTime(now),
        usageNanoCores: total('cpu', 'usageNanoCores'),
        usageCoreNanoSeconds: total('cpu', 'usageCoreNanoSeconds'),
      },
      memory: {
        time: apiTime(now),
        usageBytes: total('memory', 'usageBytes'),
        workingSetBytes: total('memory', 'workingSetBytes'),
        rssBytes: total('memory', 'rssBytes'),
        pageFaults: total('memory', 'pageFaults'),
        majorPageFaults: total('memory', 'majorPageFaults'),
      },
    };
    const network = await this.podNetwork(p.sandboxId, now);
    if (network) out.network = network;
    out.volume = volume;
    out['ephemeral-storage'] = ephemeral;
    const count = p.cgroupParent
      ? cgroupProcessCount(cgroupHierarchies(this.deps.cgroupRoot), p.cgroupParent)
      : undefined;
    if (count !== undefined) out.process_stats = { process_count: count };
    return out;
  }

  private container(p: SummaryPod, s: ContainerStats, startMs: number, imageFs: FsStats, now: number): Json {
    const name = s.attributes.labels?.['io.kubernetes.container.name'] ?? s.attributes.metadata.name;
    const m = s.memory;
    const layer = s.writable_layer;
    const logDir = p.logDir(name);
    return {
      name,
      startTime: apiTime(startMs),
      cpu: {
        time: nsTime(s.cpu?.timestamp, now),
        usageNanoCores: num(s.cpu?.usage_nano_cores) ?? 0,
        usageCoreNanoSeconds: num(s.cpu?.usage_core_nano_seconds) ?? 0,
      },
      memory: {
        time: nsTime(m?.timestamp, now),
        ...(num(m?.available_bytes) ? { availableBytes: num(m?.available_bytes) } : {}),
        usageBytes: num(m?.usage_bytes) ?? 0,
        workingSetBytes: num(m?.working_set_bytes) ?? 0,
        rssBytes: num(m?.rss_bytes) ?? 0,
        pageFaults: num(m?.page_faults) ?? 0,
        majorPageFaults: num(m?.major_page_faults) ?? 0,
      },
      rootfs: {
        ...imageFs,
        time: nsTime(layer?.timestamp, now),
        usedBytes: num(layer?.used_bytes) ?? 0,
        inodesUsed: num(layer?.inodes_used) ?? 0,
      },
      logs: existsSync(logDir)
        ? directoryFs(logDir, now)
        : { ...filesystem(this.deps.rootDir, now), usedBytes: 0, inodesUsed: 0 },
    };
  }

  /** The sandbox's network namespace, read through its pause process (/proc/<pid>/net/dev). */
  private async podNetwork(sandboxId: string, now: number): Promise<Json | undefined> {
    if (!sandboxId) return undefined;
    try {
      const st = await this.deps.cri.podSandboxStatus(sandboxId, true);
      const pid = (JSON.parse(st.info?.info ?? '{}') as { pid?: number }).pid;
      if (!pid) return undefined;
      const ifaces = interfaces(readFileSync(`/proc/${pid}/net/dev`, 'utf8'));
      const eth0 = ifaces.find((i) => i.name === 'eth0') ?? ifaces[0];
      return { time: apiTime(now), ...(eth0 ?? {}), interfaces: ifaces };
    } catch {
      return undefined; // the sandbox went away meanwhile
    }
  }
}
