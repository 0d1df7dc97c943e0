import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aggregatedRules } from '../../../src/controllers/clusterrole-aggregation/controller.js';
import type { KubeObject } from '../../../src/api/types.js';

const cr = (name: string, labels: Record<string, string>, rules: unknown[], agg?: string): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name, labels },
  rules,
  ...(agg ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [agg]: 'true' } }] } } : {}),
});

describe('ClusterRole aggregation', () => {
  const pods = { verbs: ['get'], apiGroups: [''], resources: ['pods'] };
  const crons = { verbs: ['get'], apiGroups: ['batch'], resources: ['cronjobs'] };
  it('unites the rules of matching roles in name order, without repeats, never its own', () => {
    const view = cr('view', { 'agg-edit': 'true' }, [{ verbs: ['x'] }], 'agg-view');
    const all = [
      view,
      cr('z-crons', { 'agg-view': 'true' }, [crons, pods]),
      cr('a-pods', { 'agg-view': 'true' }, [pods]),
      cr('other', {}, [{ verbs: ['delete'], apiGroups: ['*'], resources: ['*'] }]),
    ];
    assert.deepEqual(aggregatedRules(view, all), [pods, crons]);
  });

  it('a rule with an empty list equals one without it', () => {
    const view = cr('view', {}, [], 'agg');
    const all = [
      view,
      cr('a', { agg: 'true' }, [pods]),
      cr('b', { agg: 'true' }, [{ ...pods, resourceNames: [] }]),
    ];
    assert.deepEqual(aggregatedRules(view, all), [pods]);
  });
});
