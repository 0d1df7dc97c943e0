// The cluster-proportional-autoscaler's control modes (kubernetes-sigs/cluster-proportional-
// autoscaler 1.8, pkg/autoscaler/controller): the ConfigMap holds exactly one entry, `linear` or
// `ladder`, whose value is JSON; each turns the cluster's node and core counts into replicas.
// Error texts are upstream's (its log shows them).

export interface ClusterStatus {
  totalNodes: number;
  schedulableNodes: number;
  totalCores: number;
  schedulableCores: number;
}

export interface ControlMode {
  readonly mode: 'linear' | 'ladder';
  expectedReplicas(status: ClusterStatus): number;
}

interface LinearParams {
  coresPerReplica?: number;
  nodesPerReplica?: number;
  min?: number;
  max?: number;
  preventSinglePointFailure?: boolean;
  includeUnschedulableNodes?: boolean;
}

interface LadderParams {
  coresToReplicas?: number[][];
  nodesToReplicas?: number[][];
  includeUnschedulableNodes?: boolean;
}

function parseJSON<T>(text: string): T {
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return v as T;
  } catch (err) {
    throw new Error(`could not parse parameters (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** The linear mode: max(ceil(cores / coresPerReplica), ceil(nodes / nodesPerReplica)) within [min, max]. */
export function linearMode(text: string): ControlMode {
  const p = parseJSON<LinearParams>(text);
  let min = p.min ?? 0;
  const max = p.max ?? 0;
  const cores = p.coresPerReplica ?? 0;
  const nodes = p.nodesPerReplica ?? 0;
  if (min < 0) throw new Error(`invalid negative value for min: ${min}`);
  if (min === 0) min = 1;
  if (max !== 0 && max < min)
    throw new Error(`max replicas count ${max} should be greater than / equal to min replicas count ${min}`);
  if (cores === 0 && nodes === 0)
    throw new Error('should at least provide either CoresPerReplica or NodesPerReplica (Greater than 0)');
  if (cores < 0) throw new Error(`invalid negative value for coresPerReplica: ${cores}`);
  if (nodes < 0) throw new Error(`invalid negative value for nodesPerReplica: ${nodes}`);
  const fromParam = (resources: number, perReplica: number) => {
    if (perReplica === 0) return 1;
    let r = Math.ceil(resources / perReplica);
    if (max !== 0) r = Math.min(max, r);
    return Math.max(min, r);
  };
  return {
    mode: 'linear',
    expectedReplicas(s) {
      const n = p.includeUnschedulableNodes ? s.totalNodes : s.schedulableNodes;
      const c = p.includeUnschedulableNodes ? s.totalCores : s.schedulableCores;
      const fromCores = fromParam(c, cores);
      let fromNodes = fromParam(n, nodes);
      // at least two replicas once there is more than one node
      if (p.preventSinglePointFailure && n > 1 && fromNodes < 2) fromNodes = 2;
      return Math.max(fromCores, fromNodes);
    },
  };
}

/** The ladder mode: the replicas of the highest step not above the count, per table. */
export function ladderMode(text: string): ControlMode {
  const p = parseJSON<LadderParams>(text);
  const check = (entries: number[][] | undefined, name: string) => {
    for (const e of entries ?? []) {
      if (!Array.isArray(e) || e.length !== 2)
        throw new Error(`invalid element ${JSON.stringify(e)} in ${name}`);
      if (e[0]! < 1 || e[1]! < 1)
        throw new Error(`invalid negative values in entry [${e.join(' ')}] in ${name}`);
    }
    return [...(entries ?? [])].sort((a, b) => a[0]! - b[0]!);
  };
  const cores = check(p.coresToReplicas, 'cores_to_replicas_map');
  const nodes = check(p.nodesToReplicas, 'nodes_to_replicas_map');
  const lookup = (count: number, entries: number[][]) => {
    if (entries.length === 0) return 1;
    let pos = entries.findIndex((e) => count < e[0]!);
    if (pos === -1) pos = entries.length;
    return entries[Math.max(0, pos - 1)]![1]!;
  };
  return {
    mode: 'ladder',
    expectedReplicas(s) {
      const n = p.includeUnschedulableNodes ? s.totalNodes : s.schedulableNodes;
      const c = p.includeUnschedulableNodes ? s.totalCores : s.schedulableCores;
      return Math.max(lookup(c, cores), lookup(n, nodes));
    },
  };
}

/** upstream's plugin.EnsureController: exactly one entry, naming a known mode. */
export function controlModeOf(data: Record<string, string> | undefined): ControlMode {
  const entries = Object.entries(data ?? {});
  if (entries.length !== 1) {
    const shown = entries.map(([k, v]) => `${k}:${v}`).join(' ');
    throw new Error(`invalid configMap format, expected only one entry, got: map[${shown}]`);
  }
  const [mode, text] = entries[0]!;
  if (mode === 'linear') return wrap('linear', () => linearMode(text));
  if (mode === 'ladder') return wrap('ladder', () => ladderMode(text));
  throw new Error(`not a supported control mode: ${mode}`);
}

function wrap(mode: string, f: () => ControlMode): ControlMode {
  try {
    return f();
  } catch (err) {
    throw new Error(`error parsing ${mode} params: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** JSON with sorted keys, as Go's encoding/json writes a map (the ConfigMap's default entries). */
export function goJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goJSON).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${goJSON((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** --default-params: a JSON object of modes; each becomes one ConfigMap entry (its JSON text). */
export function parseDefaultParams(text: string): Record<string, string> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new Error(`invalid --default-params: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new Error('invalid --default-params: want a JSON object');
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, goJSON(x)]));
}
