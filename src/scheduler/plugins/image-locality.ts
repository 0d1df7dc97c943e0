// ImageLocality: prefers nodes that already have the pod's images (node.status.images), each
// image's size scaled by the share of nodes having it, so that one popular node is not
// favoured for everything (weight 1).
import { normalizeImageName } from './image-names.js';
import { MAX_NODE_SCORE, Status, type PreScorePlugin, type ScorePlugin } from '../framework/types.js';
import type { NodeInfo } from '../framework/node-info.js';

const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;
const STATE_KEY = 'PreScoreImageLocality';

interface ImageState {
  /** the pod's containers' images, normalized */
  images: string[];
  /** image → nodes having it */
  spread: Map<string, number>;
  total: number;
}

export const imageLocality: PreScorePlugin & ScorePlugin = {
  name: 'ImageLocality',
  preScore(state, pod, nodes: NodeInfo[]) {
    const spread = new Map<string, number>();
    const all = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) =>
      normalizeImageName(c.image ?? ''),
    );
    for (const img of all) spread.set(img, 0);
    for (const n of nodes) {
      if (n.images.size === 0) continue;
      for (const img of all) if (n.images.has(img)) spread.set(img, spread.get(img)! + 1);
    }
    const images = pod.spec.containers.map((c) => normalizeImageName(c.image ?? ''));
    state.write(STATE_KEY, { images, spread, total: nodes.length } satisfies ImageState);
    return Status.success();
  },
  score(state, pod, node) {
    const s = state.read<ImageState>(STATE_KEY);
    if (!s || s.total === 0 || node.images.size === 0) return 0;
    let sum = 0;
    for (const img of s.images) {
      const size = node.images.get(img);
      if (size !== undefined) sum += size * ((s.spread.get(img) ?? 0) / s.total);
    }
    const max = MAX_CONTAINER_THRESHOLD * pod.spec.containers.length;
    const clamped = Math.min(Math.max(sum, MIN_THRESHOLD), max);
    return Math.floor((MAX_NODE_SCORE * (clamped - MIN_THRESHOLD)) / (max - MIN_THRESHOLD));
  },
};
