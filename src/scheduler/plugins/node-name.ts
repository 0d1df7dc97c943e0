// NodeName: a pod naming a node in spec.nodeName fits only there (the scheduler sees such pods
// only when someone set nodeName without binding, e.g. in a test; kept for parity).
import { unresolvable, Status, type FilterPlugin } from '../framework/types.js';

export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

export const nodeName: FilterPlugin = {
  name: 'NodeName',
  filter(_state, pod, node) {
    const want = pod.spec.nodeName;
    if (!want || want === node.name) return Status.success();
    return unresolvable(ERR_REASON_NODE_NAME);
  },
};
