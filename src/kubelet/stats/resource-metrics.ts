// The kubelet's /metrics/resource (what metrics-server scrapes since v0.6): cumulative CPU
// seconds and working-set bytes of the node, each pod and each container, with the time each
// value was read, in Prometheus text format with the kubelet's metric names and help texts.
export interface UsagePoint {
  /** cumulative CPU time in core-seconds */
  cpuSeconds: number;
  /** working set (usage minus inactive file pages) in bytes */
  memoryBytes: number;
  /** when the values were read, epoch ms */
  timestampMs: number;
}

export interface ContainerUsage extends UsagePoint {
  namespace: string;
  pod: string;
  container: string;
  /** container start, epoch seconds */
  startTimeSeconds?: number;
}

export interface NodeUsage {
  node: UsagePoint;
  containers: ContainerUsage[];
  /** reading the containers' stats failed (resource_scrape_error 1) */
  scrapeError: boolean;
}

const HELP: [string, string, string][] = [
  [
    'container_cpu_usage_seconds_total',
    'counter',
    'Cumulative cpu time consumed by the container in core-seconds',
  ],
  ['container_memory_working_set_bytes', 'gauge', 'Current working set of the container in bytes'],
  ['container_start_time_seconds', 'gauge', 'Start time of the container since unix epoch in seconds'],
  ['node_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed by the node in core-seconds'],
  ['node_memory_working_set_bytes', 'gauge', 'Current working set of the node in bytes'],
  ['pod_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed by the pod in core-seconds'],
  ['pod_memory_working_set_bytes', 'gauge', 'Current working set of the pod in bytes'],
  ['resource_scrape_error', 'gauge', '1 if there was an error while getting container metrics, 0 otherwise'],
];

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labels = (l: Record<string, string>) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${esc(v)}"`)
    .join(',')}}`;

/** Renders the exposition; pods are the sums of their containers (as cAdvisor's pod cgroup). */
export function renderResourceMetrics(u: NodeUsage): string {
  const lines = new Map<string, string[]>(HELP.map(([name]) => [name, []]));
  const add = (name: string, l: Record<string, string>, value: number, ts?: number) =>
    lines
      .get(name)!
      .push(`${name}${Object.keys(l).length ? labels(l) : ''} ${value}${ts !== undefined ? ` ${ts}` : ''}`);
  const pods = new Map<string, { namespace: string; pod: string; cpu: number; mem: number; ts: number }>();
  for (const c of [...u.containers].sort((a, b) =>
    `${a.namespace}/${a.pod}/${a.container}`.localeCompare(`${b.namespace}/${b.pod}/${b.container}`),
  )) {
    const l = { container: c.container, namespace: c.namespace, pod: c.pod };
    add('container_cpu_usage_seconds_total', l, c.cpuSeconds, c.timestampMs);
    add('container_memory_working_set_bytes', l, c.memoryBytes, c.timestampMs);
    if (c.startTimeSeconds !== undefined)
      add('container_start_time_seconds', l, c.startTimeSeconds, c.timestampMs);
    const key = `${c.namespace}/${c.pod}`;
    const p = pods.get(key) ?? { namespace: c.namespace, pod: c.pod, cpu: 0, mem: 0, ts: 0 };
    p.cpu += c.cpuSeconds;
    p.mem += c.memoryBytes;
    p.ts = Math.max(p.ts, c.timestampMs);
    pods.set(key, p);
  }
  add('node_cpu_usage_seconds_total', {}, u.node.cpuSeconds, u.node.timestampMs);
  add('node_memory_working_set_bytes', {}, u.node.memoryBytes, u.node.timestampMs);
  for (const p of pods.values()) {
    add('pod_cpu_usage_seconds_total', { namespace: p.namespace, pod: p.pod }, p.cpu, p.ts);
    add('pod_memory_working_set_bytes', { namespace: p.namespace, pod: p.pod }, p.mem, p.ts);
  }
  add('resource_scrape_error', {}, u.scrapeError ? 1 : 0);
  const out: string[] = [];
  for (const [name, type, help] of HELP) {
    out.push(`# HELP ${name} [STABLE] ${help}`, `# TYPE ${name} ${type}`, ...lines.get(name)!);
  }
  return out.join('\n') + '\n';
}
