// The ClusterRole aggregation controller (upstream's ClusterRoleAggregationController): a
// ClusterRole with an aggregationRule gets, as its rules, the union of the rules of every
// other ClusterRole its selectors match (in name order, without repeats). That is how admin,
// edit and view are filled, and how a role labelled `rbac.authorization.k8s.io/aggregate-to-view:
// "true"` extends view. Written with server-side apply as `clusterrole-aggregation-controller`.
import { StatusError } from '../../api/errors.js';
import { labelSelectorFromObject, type LabelSelectorObject } from '../../api/selectors/labels.js';
import type { KubeObject } from '../../api/types.js';
import type { Informer } from '../../client/informer.js';
import type { RestClient } from '../../client/rest.js';
import { WorkQueue } from '../../client/workqueue.js';
import { runWorkers } from '../../client/reconcile-workers.js';
import type { SharedInformers } from '../../client/shared-informers.js';
import { logger } from '../../util/log.js';

const log = logger('clusterrole-aggregation-controller');
const PATH = '/apis/rbac.authorization.k8s.io/v1/clusterroles';
const MANAGER = 'clusterrole-aggregation-controller';

interface Rule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

interface AggregationRule {
  clusterRoleSelectors?: LabelSelectorObject[];
}

/** Semantic equality of upstream's apimachinery: a missing list equals an empty one. */
function ruleId(r: Rule): string {
  const list = (xs: string[] | undefined) => (xs?.length ? xs : []);
  return JSON.stringify([
    list(r.verbs),
    list(r.apiGroups),
    list(r.resources),
    list(r.resourceNames),
    list(r.nonResourceURLs),
  ]);
}

/** The rules an aggregated role should have, given every ClusterRole there is. */
export function aggregatedRules(role: KubeObject, all: KubeObject[]): Rule[] {
  const rules: Rule[] = [];
  const seen = new Set<string>();
  const byName = [...all].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
  for (const sel of (role.aggregationRule as AggregationRule).clusterRoleSelectors ?? []) {
    const matcher = labelSelectorFromObject(sel);
    for (const other of byName) {
      if (other.metadata.name === role.metadata.name || !matcher.matches(other.metadata.labels ?? {}))
        continue;
      for (const r of (other.rules as Rule[] | null | undefined) ?? []) {
        const id = ruleId(r);
        if (!seen.has(id)) {
          seen.add(id);
          rules.push(r);
        }
      }
    }
  }
  return rules;
}

export class ClusterRoleAggregationController {
  private readonly informer: Informer;
  private readonly queue = new WorkQueue();

  constructor(
    private readonly client: RestClient,
    informers: SharedInformers,
    private readonly workers = 1,
  ) {
    this.informer = informers.informer(PATH);
    // any change may change what a selector matches: look at every aggregated role again
    const enqueueAll = () => {
      for (const r of this.informer.list()) if (r.aggregationRule) this.queue.add(r.metadata.name!);
    };
    this.informer.addHandlers({ onAdd: enqueueAll, onUpdate: enqueueAll, onDelete: enqueueAll });
  }

  start(): void {
    runWorkers(this.queue, this.workers, (key) => this.reconcile(key), log);
  }

  stop(): void {
    this.queue.shutDown();
  }

  async reconcile(name: string): Promise<void> {
    const role = this.informer.get(name);
    if (!role || !role.aggregationRule) return;
    const rules = aggregatedRules(role, this.informer.list());
    const current = ((role.rules as Rule[] | null | undefined) ?? []).map(ruleId);
    if (current.length === rules.length && rules.every((r, i) => ruleId(r) === current[i])) return;
    const body = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name },
      rules,
    };
    try {
      await this.client.request(
        'PATCH',
        `${PATH}/${encodeURIComponent(name)}?fieldManager=${MANAGER}&force=true`,
        body,
        'application/apply-patch+yaml',
      );
    } catch (err) {
      // a server without server-side apply: update instead (as upstream's fallback)
      if (!(err instanceof StatusError && err.code === 415)) throw err;
      await this.client.request('PUT', `${PATH}/${encodeURIComponent(name)}?fieldManager=${MANAGER}`, {
        ...role,
        rules,
      });
    }
  }
}
