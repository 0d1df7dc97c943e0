// ingresses (ing)
import type { KubeObject } from '../../../api/types.js';
import { defineResource } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';

type Obj = Record<string, unknown>;
const spec = (o: KubeObject) => (o.spec ?? {}) as Obj;

function hosts(i: KubeObject): string {
  const hs = ((spec(i).rules as { host?: string }[] | undefined) ?? []).map((r) => r.host || '*');
  if (!hs.length) return '*';
  return hs.length > 4 ? `${hs.slice(0, 4).join(',')} + ${hs.length - 4} more...` : hs.join(',');
}

function address(i: KubeObject): string {
  const ing = (
    (i.status as { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } } | undefined)
      ?.loadBalancer?.ingress ?? []
  )
    .map((x) => x.ip || x.hostname)
    .filter(Boolean);
  return ing.join(',');
}

export const ingresses = defineResource({
  group: 'networking.k8s.io',
  version: 'v1',
  resource: 'ingresses',
  kind: 'Ingress',
  namespaced: true,
  shortNames: ['ing'],
  definition: 'io.k8s.api.networking.v1.Ingress',
  status: true,
  generation: true,
  prepareForCreate(i) {
    i.status = { loadBalancer: {} };
  },
  table: {
    columns: [
      nameColumn,
      col('Class', 'The ingress class.'),
      col('Hosts', 'Hosts the rules match.'),
      col('Address', 'Addresses of the load balancer.'),
      col('Ports', 'Ports served.'),
      ageColumn,
    ],
    cells: (i, now) => [
      i.metadata.name,
      (spec(i).ingressClassName as string) || '<none>',
      hosts(i),
      address(i),
      spec(i).tls ? '80, 443' : '80',
      age(i.metadata.creationTimestamp, now),
    ],
  },
});
