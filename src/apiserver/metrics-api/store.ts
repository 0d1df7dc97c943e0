// What metrics-server keeps: the last two scrapes of every node, from which CPU usage is the
// rate between them (cores, shown in nanocores) and memory the latest working set. A pod is
// reported once each of its containers has two points; a restarted container (its counter went
// down) waits for a new pair.
import { parsePrometheusText, type Sample } from './prometheus.js';

export interface Point {
  cpuSeconds: number;
  memoryBytes: number;
  timestampMs: number;
}

interface Scrape {
  node?: Point;
  /** "namespace/pod" → container → point */
  containers: Map<string, Map<string, Point>>;
}

export interface Usage {
  /** nanocores */
  cpu: bigint;
  /** bytes */
  memory: bigint;
  timestampMs: number;
  windowMs: number;
}

export function scrapeFrom(samples: Sample[]): Scrape {
  const scrape: Scrape = { containers: new Map() };
  const cpu = new Map<string, Sample>();
  const mem = new Map<string, Sample>();
  let nodeCpu: Sample | undefined;
  let nodeMem: Sample | undefined;
  for (const s of samples) {
    if (s.name === 'node_cpu_usage_seconds_total') nodeCpu = s;
    else if (s.name === 'node_memory_working_set_bytes') nodeMem = s;
    else if (
      s.name === 'container_cpu_usage_seconds_total' ||
      s.name === 'container_memory_working_set_bytes'
    ) {
      const key = `${s.labels.namespace}/${s.labels.pod}/${s.labels.container}`;
      (s.name.startsWith('container_cpu') ? cpu : mem).set(key, s);
    }
  }
  if (nodeCpu && nodeMem)
    scrape.node = {
      cpuSeconds: nodeCpu.value,
      memoryBytes: nodeMem.value,
      timestampMs: nodeCpu.timestampMs ?? Date.now(),
    };
  for (const [key, c] of cpu) {
    const m = mem.get(key);
    if (!m) continue;
    const podKey = `${c.labels.namespace}/${c.labels.pod}`;
    const containers = scrape.containers.get(podKey) ?? new Map<string, Point>();
    containers.set(c.labels.container, {
      cpuSeconds: c.value,
      memoryBytes: m.value,
      timestampMs: c.timestampMs ?? Date.now(),
    });
    scrape.containers.set(podKey, containers);
  }
  return scrape;
}

function usageBetween(prev: Point, last: Point): Usage | undefined {
  const windowMs = last.timestampMs - prev.timestampMs;
  if (windowMs <= 0 || last.cpuSeconds < prev.cpuSeconds) return undefined;
  const cores = (last.cpuSeconds - prev.cpuSeconds) / (windowMs / 1000);
  return {
    cpu: BigInt(Math.round(cores * 1e9)),
    memory: BigInt(Math.round(last.memoryBytes)),
    timestampMs: last.timestampMs,
    windowMs,
  };
}

export class MetricsStore {
  private readonly byNode = new Map<string, { prev?: Scrape; last: Scrape }>();

  /** Records one node's /metrics/resource answer. */
  record(node: string, text: string): void {
    const scrape = scrapeFrom(parsePrometheusText(text));
    const had = this.byNode.get(node);
    this.byNode.set(node, { prev: had?.last, last: scrape });
  }

  nodes(): string[] {
    return [...this.byNode.keys()];
  }

  forget(node: string): void {
    this.byNode.delete(node);
  }

  nodeUsage(node: string): Usage | undefined {
    const n = this.byNode.get(node);
    if (!n?.prev?.node || !n.last.node) return undefined;
    return usageBetween(n.prev.node, n.last.node);
  }

  /** "namespace/pod" → container usages, for pods whose every container has a rate. */
  podUsages(): Map<string, Map<string, Usage>> {
    const out = new Map<string, Map<string, Usage>>();
    for (const { prev, last } of this.byNode.values()) {
      if (!prev) continue;
      for (const [pod, containers] of last.containers) {
        const before = prev.containers.get(pod);
        if (!before) continue;
        const usages = new Map<string, Usage>();
        for (const [name, point] of containers) {
          const p = before.get(name);
          const u = p && usageBetween(p, point);
          if (!u) break;
          usages.set(name, u);
        }
        if (usages.size === containers.size) out.set(pod, usages);
      }
    }
    return out;
  }
}
