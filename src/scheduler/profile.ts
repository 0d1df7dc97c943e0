// The default profile (upstream's 1.31 default plugins, in their order and weights): filters
// NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit,
// PodTopologySpread, InterPodAffinity; scores TaintToleration 3, NodeAffinity 2,
// PodTopologySpread 2, InterPodAffinity 2, NodeResourcesFit 1, BalancedAllocation 1,
// ImageLocality 1; PostFilter DefaultPreemption. Of the volume plugins, VolumeBinding (when the
// scheduler gives it its claim, volume and class caches).
import type { Profile } from './framework/runtime.js';
import type { FilterPlugin, PreFilterPlugin, ScorePlugin } from './framework/types.js';
import { defaultPreemption, type PreemptionDeps } from './plugins/default-preemption.js';
import { imageLocality } from './plugins/image-locality.js';
import { interPodAffinity } from './plugins/inter-pod-affinity.js';
import { nodeAffinity } from './plugins/node-affinity.js';
import { nodeName } from './plugins/node-name.js';
import { nodePorts } from './plugins/node-ports.js';
import { balancedAllocation, nodeResourcesFit, type ScoringStrategy } from './plugins/node-resources-fit.js';
import { nodeUnschedulable } from './plugins/node-unschedulable.js';
import { podTopologySpread } from './plugins/pod-topology-spread.js';
import { taintToleration } from './plugins/taint-toleration.js';
import type { PodLister } from './plugins/pod-lister.js';
import { volumeBinding, type VolumeLister } from './plugins/volume-binding.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export interface ProfileOptions {
  schedulerName?: string;
  scoringStrategy?: ScoringStrategy;
  /** Score plugin name → weight, overriding the defaults; 0 disables it. */
  weights?: Record<string, number>;
  /** Plugin names to leave out. */
  disabled?: string[];
}

export function defaultProfile(
  deps: PreemptionDeps & PodLister & { volumes?: VolumeLister },
  opts: ProfileOptions = {},
): Profile {
  const fit = nodeResourcesFit(opts.scoringStrategy);
  const spread = podTopologySpread(deps);
  const affinity = interPodAffinity(deps);
  const off = new Set(opts.disabled ?? []);
  const on = <T extends { name: string }>(list: T[]) => list.filter((p) => !off.has(p.name));
  const volumes = deps.volumes ? [volumeBinding(deps.volumes)] : [];
  const preFilter: PreFilterPlugin[] = on([fit, ...volumes, spread, affinity]);
  const filter: FilterPlugin[] = on([
    nodeUnschedulable,
    nodeName,
    taintToleration,
    nodeAffinity,
    nodePorts,
    fit,
    ...volumes,
    spread,
    affinity,
  ]);
  const defaults: [ScorePlugin, number][] = [
    [taintToleration, 3],
    [nodeAffinity, 2],
    [spread, 2],
    [affinity, 2],
    [fit, 1],
    [balancedAllocation(), 1],
    [imageLocality, 1],
  ];
  const score = defaults
    .filter(([p]) => !off.has(p.name))
    .map(([plugin, w]) => ({ plugin, weight: opts.weights?.[plugin.name] ?? w }))
    .filter((s) => s.weight > 0);
  return {
    schedulerName: opts.schedulerName ?? DEFAULT_SCHEDULER_NAME,
    preFilter,
    filter,
    postFilter: off.has('DefaultPreemption') ? [] : [defaultPreemption(deps)],
    preScore: on([spread, affinity, imageLocality]),
    score,
  };
}
