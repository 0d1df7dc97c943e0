// NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods tolerating the
// node.kubernetes.io/unschedulable:NoSchedule taint.
import { unresolvable, Status, type FilterPlugin } from '../framework/types.js';
import { toleratedBy } from './helpers.js';

export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';

export const nodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  filter(_state, pod, node) {
    if (!node.node.spec?.unschedulable) return Status.success();
    const taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' as const };
    if (toleratedBy(pod.spec.tolerations ?? [], taint)) return Status.success();
    return unresolvable(ERR_REASON_UNSCHEDULABLE);
  },
};
