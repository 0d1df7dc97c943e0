// networkpolicies (netpol)
import { isRecord } from '../../../api/types.js';
import { defineResource, ensureObject } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { selectorText } from '../core/workload-columns.js';

type Obj = Record<string, unknown>;

export const networkpolicies = defineResource({
  group: 'networking.k8s.io',
  version: 'v1',
  resource: 'networkpolicies',
  kind: 'NetworkPolicy',
  namespaced: true,
  shortNames: ['netpol'],
  definition: 'io.k8s.api.networking.v1.NetworkPolicy',
  generation: true,
  defaults(np) {
    const s = ensureObject<Obj>(np, 'spec');
    ensureObject<Obj>(s, 'podSelector');
    if (!Array.isArray(s.policyTypes) || !s.policyTypes.length) {
      s.policyTypes = Array.isArray(s.egress) && s.egress.length ? ['Ingress', 'Egress'] : ['Ingress'];
    }
    for (const list of ['ingress', 'egress']) {
      for (const rule of Array.isArray(s[list]) ? (s[list] as Obj[]) : []) {
        for (const p of Array.isArray(rule.ports) ? (rule.ports as Obj[]) : [])
          if (isRecord(p) && p.protocol === undefined) p.protocol = 'TCP';
      }
    }
  },
  table: {
    columns: [nameColumn, col('Pod-Selector', 'The pods the policy applies to.'), ageColumn],
    cells: (np, now) => [
      np.metadata.name,
      selectorText((np.spec as Obj | undefined)?.podSelector),
      age(np.metadata.creationTimestamp, now),
    ],
  },
});
