// PrioritySort: higher spec.priority first, then the pod queued earlier.
import type { QueuedPodInfo, QueueSortPlugin } from '../framework/types.js';

export const priorityOf = (p: QueuedPodInfo['pod']): number => p.spec.priority ?? 0;

export const prioritySort: QueueSortPlugin = {
  name: 'PrioritySort',
  less(a, b) {
    const pa = priorityOf(a.pod);
    const pb = priorityOf(b.pod);
    return pa > pb || (pa === pb && a.timestamp < b.timestamp);
  },
};
