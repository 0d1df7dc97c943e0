// What the topology plugins read: every node with its pods, and the pods that carry required
// anti-affinity terms (kept by the cache so that pods without any affinity cost nothing).
import type { NodeInfo, PodInfo } from '../framework/node-info.js';

export interface PodLister {
  nodes(): NodeInfo[];
  /** pods with required anti-affinity, with their node */
  antiAffinityPods(): { info: PodInfo; node: NodeInfo }[];
}
