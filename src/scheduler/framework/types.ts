// The scheduling framework's contract (upstream's framework/interface.go): plugins implement
// extension points; a Status carries a code and reasons; CycleState is per-cycle scratch space.
import type { KubeObject } from '../../api/types.js';
import type { NodeInfo } from './node-info.js';

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface PodAffinityTerm {
  labelSelector?: {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  namespaces?: string[];
  namespaceSelector?: object;
  topologyKey: string;
}

export interface ContainerSpec {
  name: string;
  image?: string;
  restartPolicy?: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  ports?: { containerPort?: number; hostPort?: number; protocol?: string; hostIP?: string }[];
}

export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
  labelSelector?: PodAffinityTerm['labelSelector'];
  minDomains?: number;
}

export interface PodSpec {
  nodeName?: string;
  schedulerName?: string;
  priority?: number;
  preemptionPolicy?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  affinity?: {
    nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] };
      preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; preference: NodeSelectorTerm }[];
    };
    podAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
      preferredDuringSchedulingIgnoredDuringExecution?: {
        weight: number;
        podAffinityTerm: PodAffinityTerm;
      }[];
    };
    podAntiAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
      preferredDuringSchedulingIgnoredDuringExecution?: {
        weight: number;
        podAffinityTerm: PodAffinityTerm;
      }[];
    };
  };
  topologySpreadConstraints?: TopologySpreadConstraint[];
  containers: ContainerSpec[];
  initContainers?: ContainerSpec[];
  overhead?: Record<string, string>;
  schedulingGates?: { name: string }[];
}

export type Pod = KubeObject & { spec: PodSpec; status?: Record<string, unknown> };

export interface NodeSpec {
  unschedulable?: boolean;
  taints?: Taint[];
  podCIDR?: string;
}

export type Node = KubeObject & {
  spec?: NodeSpec;
  status?: { allocatable?: Record<string, string>; images?: { names?: string[]; sizeBytes?: number }[] };
};

export enum Code {
  Success = 0,
  Error = 1,
  /** The pod does not fit now; preemption may help. */
  Unschedulable = 2,
  /** The pod does not fit, and preemption cannot change that. */
  UnschedulableAndUnresolvable = 3,
  Wait = 4,
  Skip = 5,
}

export class Status {
  constructor(
    readonly code: Code,
    readonly reasons: string[] = [],
    /** The plugin that failed (set by the framework). */
    public plugin = '',
  ) {}

  static success(): Status {
    return SUCCESS;
  }
  isSuccess(): boolean {
    return this.code === Code.Success;
  }
  isRejected(): boolean {
    return this.code === Code.Unschedulable || this.code === Code.UnschedulableAndUnresolvable;
  }
  message(): string {
    return this.reasons.join(', ');
  }
}

const SUCCESS = new Status(Code.Success);

export const unschedulable = (...reasons: string[]) => new Status(Code.Unschedulable, reasons);
export const unresolvable = (...reasons: string[]) => new Status(Code.UnschedulableAndUnresolvable, reasons);

/** Per-cycle scratch space (upstream's CycleState): what PreFilter computes for Filter and Score. */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }
}

export const MAX_NODE_SCORE = 100;

export interface Plugin {
  readonly name: string;
}

export interface PreFilterPlugin extends Plugin {
  /** Skip: the plugin's Filter has nothing to check for this pod. */
  preFilter(state: CycleState, pod: Pod, nodes: NodeInfo[]): Status;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: Pod, node: NodeInfo): Status;
}

export interface PostFilterPlugin extends Plugin {
  /** Tries to make the pod schedulable (preemption); `message` feeds the FitError text. */
  postFilter(
    state: CycleState,
    pod: Pod,
    statuses: Map<string, Status>,
  ): { status: Status; nominatedNodeName?: string };
}

export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): Status;
}

export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: Pod, node: NodeInfo): number;
  /** Scales raw scores into 0..100 in place. */
  normalize?(state: CycleState, pod: Pod, scores: { node: string; score: number }[]): void;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: Pod, nodeName: string): Status;
  unreserve(state: CycleState, pod: Pod, nodeName: string): void;
}

export interface BindPlugin extends Plugin {
  bind(state: CycleState, pod: Pod, nodeName: string): Promise<Status>;
}

export interface QueueSortPlugin extends Plugin {
  /** true when a should be scheduled before b. */
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean;
}

export interface QueuedPodInfo {
  pod: Pod;
  key: string;
  /** When the pod was (last) added to the queue, ms. */
  timestamp: number;
  /** Scheduling attempts so far. */
  attempts: number;
  /** When the first attempt started, ms (for latency figures). */
  initialAttemptTimestamp?: number;
  /** The scheduling cycle of its current attempt (set by the queue). */
  cycle?: number;
  /** Plugins that rejected it last time. */
  unschedulablePlugins: Set<string>;
}

/** upstream's DefaultNormalizeScore: scale to 0..max, reversed when lower raw is better. */
export function defaultNormalizeScore(scores: { score: number }[], reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s.score > max) max = s.score;
  if (max === 0) {
    if (reverse) for (const s of scores) s.score = MAX_NODE_SCORE;
    return;
  }
  for (const s of scores) {
    const v = Math.floor((MAX_NODE_SCORE * s.score) / max);
    s.score = reverse ? MAX_NODE_SCORE - v : v;
  }
}
