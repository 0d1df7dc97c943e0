// apiservices (apiregistration.k8s.io/v1): group versions the API server serves itself (Local)
// or proxies to an extension API server behind a Service (../../aggregator/).
import type { KubeObject } from '../../../api/types.js';
import { defineResource, setDefault } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import {
  invalidValue,
  isDNS1035Label,
  isDNS1123Subdomain,
  required,
  type FieldError,
} from '../validation.js';

export interface APIServiceSpec {
  group?: string;
  version?: string;
  service?: { namespace?: string; name?: string; port?: number };
  caBundle?: string;
  insecureSkipTLSVerify?: boolean;
  groupPriorityMinimum?: number;
  versionPriority?: number;
}

export interface APIServiceCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export const specOf = (o: KubeObject): APIServiceSpec => (o.spec ?? {}) as APIServiceSpec;

export function availableCondition(o: KubeObject): APIServiceCondition | undefined {
  const conds = ((o.status as { conditions?: APIServiceCondition[] } | undefined)?.conditions ??
    []) as APIServiceCondition[];
  return conds.find((c) => c.type === 'Available');
}

/** upstream's path.IsValidPathSegmentName */
function pathSegmentErrors(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  const errs: string[] = [];
  for (const bad of ['/', '%']) if (name.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
}

function validateAPIService(o: KubeObject): FieldError[] {
  const s = specOf(o);
  const group = s.group ?? '';
  const version = s.version ?? '';
  const errs: FieldError[] = [];
  const requiredName = `${version}.${group}`;
  const name = o.metadata.name ?? '';
  if (name && !pathSegmentErrors(name).length && name !== requiredName)
    errs.push(
      invalidValue('metadata.name', name, `must be \`spec.version+"."+spec.group\`: "${requiredName}"`),
    );
  if (!group && version !== 'v1')
    errs.push(required('spec.group', 'only v1 may have an empty group and it better be legacy kube'));
  if (group) for (const m of isDNS1123Subdomain(group)) errs.push(invalidValue('spec.group', group, m));
  for (const m of isDNS1035Label(version)) errs.push(invalidValue('spec.version', version, m));
  const gp = s.groupPriorityMinimum ?? 0;
  if (gp <= 0 || gp > 20000)
    errs.push(invalidValue('spec.groupPriorityMinimum', gp, 'must be positive and less than 20000'));
  const vp = s.versionPriority ?? 0;
  if (vp <= 0 || vp > 1000)
    errs.push(invalidValue('spec.versionPriority', vp, 'must be positive and less than 1000'));
  if (!s.service) {
    if (s.caBundle)
      errs.push(
        invalidValue(
          'spec.caBundle',
          `${Buffer.from(s.caBundle, 'base64').length} bytes`,
          'local APIServices may not have a caBundle',
        ),
      );
    if (s.insecureSkipTLSVerify)
      errs.push(
        invalidValue(
          'spec.insecureSkipTLSVerify',
          true,
          'local APIServices may not have insecureSkipTLSVerify',
        ),
      );
    return errs;
  }
  if (!s.service.namespace) errs.push(required('spec.service.namespace'));
  if (!s.service.name) errs.push(required('spec.service.name'));
  const port = s.service.port ?? 443;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    errs.push(
      invalidValue('spec.service.port', port, 'port is not valid: must be between 1 and 65535, inclusive'),
    );
  if (s.insecureSkipTLSVerify && s.caBundle)
    errs.push(invalidValue('spec.insecureSkipTLSVerify', true, 'may not be true if caBundle is present'));
  return errs;
}

export const apiservices = defineResource({
  group: 'apiregistration.k8s.io',
  version: 'v1',
  resource: 'apiservices',
  kind: 'APIService',
  namespaced: false,
  categories: ['api-extensions'],
  status: true,
  definition: 'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService',
  nameValidator: pathSegmentErrors,
  defaults(o) {
    const svc = specOf(o).service;
    if (svc) setDefault(svc as Record<string, unknown>, 'port', 443);
  },
  prepareForCreate(o) {
    delete o.status;
  },
  validate: validateAPIService,
  table: {
    columns: [
      nameColumn,
      col('Service', 'The reference to the service that hosts this API endpoint.'),
      col('Available', 'Whether this service is available.'),
      ageColumn,
    ],
    cells: (o, now) => {
      const svc = specOf(o).service;
      const cond = availableCondition(o);
      const available = !cond
        ? 'Unknown'
        : cond.status === 'True'
          ? 'True'
          : `${cond.status} (${cond.reason ?? ''})`;
      return [
        o.metadata.name,
        svc ? `${svc.namespace}/${svc.name}` : 'Local',
        available,
        age(o.metadata.creationTimestamp, now),
      ];
    },
  },
});
