// ingresses (ing)
import type { KubeObject } from '../../../api/types.js';
import { defineResource } from '../define.js';
import { isRecord } from '../../../api/types.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { invalidValue, notSupported, Printed, required, type FieldError } from '../validation.js';

type Obj = Record<string, unknown>;
const spec = (o: KubeObject) => (o.spec ?? {}) as Obj;

/** upstream's formatHosts: at most 3 named hosts, "*" when none is named. */
function hosts(i: KubeObject): string {
  const rules = (spec(i).rules as { host?: string }[] | undefined) ?? [];
  const named: string[] = [];
  let more = false;
  for (const r of rules) {
    if (named.length === 3) more = true;
    if (!more && r.host) named.push(r.host);
  }
  if (!named.length) return '*';
  return more ? `${named.join(',')} + ${rules.length - 3} more...` : named.join(',');
}

/** Load-balancer IPs (else hostnames), sorted and de-duplicated, cut to 16 characters as upstream. */
function address(i: KubeObject): string {
  const lb = (i.status as { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } } | undefined)
    ?.loadBalancer?.ingress;
  const set = new Set((lb ?? []).map((x) => x.ip || x.hostname).filter((x): x is string => !!x));
  const text = [...set].sort().join(',');
  return text.length > 16 ? `${text.slice(0, 13)}...` : text;
}

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];

/** The commonest of upstream's Ingress rules: something to route, and well-formed paths. */
function validateIngress(i: KubeObject): FieldError[] {
  const s = spec(i);
  const rules = Array.isArray(s.rules) ? (s.rules as Obj[]) : undefined;
  const errs: FieldError[] = [];
  if (!rules?.length && !isRecord(s.defaultBackend))
    errs.push(
      invalidValue(
        'spec',
        new Printed(rules ? '[]networking.IngressRule{}' : '[]networking.IngressRule(nil)'),
        'either `defaultBackend` or `rules` must be specified',
      ),
    );
  (rules ?? []).forEach((rule, ri) => {
    const http = isRecord(rule.http) ? rule.http : undefined;
    const paths = http && Array.isArray(http.paths) ? (http.paths as Obj[]) : [];
    paths.forEach((path, pi) => {
      const p = `spec.rules[${ri}].http.paths[${pi}]`;
      const text = typeof path.path === 'string' ? path.path : '';
      if (path.pathType === undefined) {
        errs.push(required(`${p}.pathType`, 'pathType must be specified'));
        return;
      }
      if (!PATH_TYPES.includes(String(path.pathType))) {
        errs.push(notSupported(`${p}.pathType`, path.pathType, PATH_TYPES));
        return;
      }
      const mustBeAbsolute = path.pathType !== 'ImplementationSpecific' || text.length > 0;
      if (mustBeAbsolute && !text.startsWith('/'))
        errs.push(invalidValue(`${p}.path`, text, 'must be an absolute path'));
    });
  });
  return errs;
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
  validate: validateIngress,
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
