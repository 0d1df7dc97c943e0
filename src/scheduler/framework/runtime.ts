// Runs a profile's plugins at their extension points (upstream's frameworkImpl): PreFilter
// (a Skip leaves that plugin's Filter out for this pod), Filter (the first rejection wins, as
// upstream stops there), PostFilter, PreScore, Score with normalization and weights.
import type { NodeInfo } from './node-info.js';
import {
  Code,
  CycleState,
  Status,
  type FilterPlugin,
  type Pod,
  type PostFilterPlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from './types.js';

const SKIP_KEY = 'framework/skipFilter';
const ACTIVE_KEY = 'framework/activeFilters';

export interface Profile {
  schedulerName: string;
  preFilter: PreFilterPlugin[];
  filter: FilterPlugin[];
  postFilter: PostFilterPlugin[];
  preScore: PreScorePlugin[];
  score: { plugin: ScorePlugin; weight: number }[];
}

export class Framework {
  constructor(readonly profile: Profile) {}

  runPreFilter(state: CycleState, pod: Pod, nodes: NodeInfo[]): Status {
    const skipped = new Set<string>();
    state.write(SKIP_KEY, skipped);
    for (const p of this.profile.preFilter) {
      const st = p.preFilter(state, pod, nodes);
      if (st.code === Code.Skip) {
        skipped.add(p.name);
        continue;
      }
      if (!st.isSuccess()) {
        st.plugin = p.name;
        return st;
      }
    }
    return Status.success();
  }

  runFilters(state: CycleState, pod: Pod, node: NodeInfo): Status {
    // the filters left after PreFilter's skips, worked out once per cycle
    let active = state.read<FilterPlugin[]>(ACTIVE_KEY);
    if (!active) {
      const skipped = state.read<Set<string>>(SKIP_KEY);
      active = this.profile.filter.filter((p) => !skipped?.has(p.name));
      state.write(ACTIVE_KEY, active);
    }
    for (const p of active) {
      const st = p.filter(state, pod, node);
      if (!st.isSuccess()) {
        st.plugin = p.name;
        return st;
      }
    }
    return Status.success();
  }

  runPostFilter(
    state: CycleState,
    pod: Pod,
    statuses: Map<string, Status>,
  ): { status: Status; nominatedNodeName?: string } {
    let last: { status: Status; nominatedNodeName?: string } = { status: new Status(Code.Unschedulable) };
    for (const p of this.profile.postFilter) {
      last = p.postFilter(state, pod, statuses);
      if (last.status.isSuccess()) return last;
    }
    return last;
  }

  /** Weighted total score per node name. */
  runScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): Map<string, number> {
    for (const p of this.profile.preScore) p.preScore(state, pod, nodes);
    const totals = new Float64Array(nodes.length);
    const scores = nodes.map((n) => ({ node: n.name, score: 0 }));
    for (const { plugin, weight } of this.profile.score) {
      for (let i = 0; i < nodes.length; i++) scores[i].score = plugin.score(state, pod, nodes[i]);
      plugin.normalize?.(state, pod, scores);
      for (let i = 0; i < nodes.length; i++) totals[i] += scores[i].score * weight;
    }
    const out = new Map<string, number>();
    for (let i = 0; i < nodes.length; i++) out.set(nodes[i].name, totals[i]);
    return out;
  }
}
