// The two kinds the replica controller runs for (upstream runs the ReplicaSet code for
// ReplicationControllers too): where they live, how their selector reads, who reports events.
import type { KubeObject } from '../../api/types.js';
import { labelSelectorFromObject, matcherOf, type LabelMatcher } from '../../api/selectors/index.js';
import type { LabelSelectorObject } from '../../api/selectors/index.js';

export interface ReplicaKind {
  kind: 'ReplicaSet' | 'ReplicationController';
  apiVersion: string;
  /** collection prefix, e.g. /apis/apps/v1 */
  base: string;
  resource: string;
  component: string;
  /** The selector, or undefined when it selects nothing (a missing selector). Throws when invalid. */
  selectorOf(o: KubeObject): LabelMatcher | undefined;
}

const specOf = (o: KubeObject) => (o.spec ?? {}) as { selector?: unknown };

export const REPLICA_SET: ReplicaKind = {
  kind: 'ReplicaSet',
  apiVersion: 'apps/v1',
  base: '/apis/apps/v1',
  resource: 'replicasets',
  component: 'replicaset-controller',
  selectorOf(o) {
    const sel = specOf(o).selector as LabelSelectorObject | undefined;
    return sel ? labelSelectorFromObject(sel) : undefined;
  },
};

export const REPLICATION_CONTROLLER: ReplicaKind = {
  kind: 'ReplicationController',
  apiVersion: 'v1',
  base: '/api/v1',
  resource: 'replicationcontrollers',
  component: 'replication-controller',
  selectorOf(o) {
    const sel = specOf(o).selector as Record<string, string> | undefined;
    if (!sel || !Object.keys(sel).length) return undefined;
    return matcherOf(
      Object.entries(sel)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, v]) => ({ key, operator: '=', values: [v] })),
    );
  },
};
