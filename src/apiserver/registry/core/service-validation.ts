// Service validation (upstream's ValidateService / ValidateServiceUpdate, the common cases).
import { isIP } from 'node:net';
import { isRecord, type KubeObject } from '../../../api/types.js';
import { validateLabels } from '../meta-validation.js';
import {
  duplicate,
  fieldErrors,
  forbidden,
  invalidValue,
  isDNS1123Label,
  isDNS1123Subdomain,
  notSupported,
  Printed,
  required,
  type FieldError,
} from '../validation.js';
import { isValidPortName } from './pod-validation.js';

type Obj = Record<string, unknown>;
export interface ServicePort {
  name?: string;
  port?: number;
  protocol?: string;
  targetPort?: number | string;
  nodePort?: number;
}

export const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const AFFINITIES = ['ClientIP', 'None'];
const PORT_RANGE = 'must be between 1 and 65535, inclusive';

export const serviceSpec = (s: KubeObject): Obj => (isRecord(s.spec) ? s.spec : {});
export const servicePorts = (s: KubeObject): ServicePort[] =>
  Array.isArray(serviceSpec(s).ports) ? (serviceSpec(s).ports as unknown[]).filter(isRecord) : [];
export const isHeadless = (s: KubeObject): boolean => serviceSpec(s).clusterIP === 'None';
export const usesNodePorts = (s: KubeObject): boolean =>
  serviceSpec(s).type === 'NodePort' || serviceSpec(s).type === 'LoadBalancer';
export const clusterIPsOf = (s: KubeObject): string[] =>
  Array.isArray(serviceSpec(s).clusterIPs) ? (serviceSpec(s).clusterIPs as string[]) : [];

const validPort = (n: unknown): boolean =>
  typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;

/** Go's rendering of a []string, as upstream prints it in some messages. */
export function goStrings(xs: string[]): Printed {
  return new Printed(`[]string{${xs.map((x) => JSON.stringify(x)).join(', ')}}`);
}

function validatePort(p: ServicePort, i: number, requireName: boolean, type: unknown): FieldError[] {
  const path = `spec.ports[${i}]`;
  const errs: FieldError[] = [];
  if (requireName && !p.name) errs.push(required(`${path}.name`));
  else if (p.name) errs.push(...fieldErrors(`${path}.name`, p.name, isDNS1123Label(p.name)));
  if (!validPort(p.port)) errs.push(invalidValue(`${path}.port`, p.port ?? 0, PORT_RANGE));
  if (!p.protocol) errs.push(required(`${path}.protocol`));
  else if (!PROTOCOLS.includes(p.protocol))
    errs.push(notSupported(`${path}.protocol`, p.protocol, PROTOCOLS));
  if (typeof p.targetPort === 'number') {
    if (!validPort(p.targetPort)) errs.push(invalidValue(`${path}.targetPort`, p.targetPort, PORT_RANGE));
  } else if (typeof p.targetPort === 'string') {
    errs.push(...fieldErrors(`${path}.targetPort`, p.targetPort, isValidPortName(p.targetPort)));
  }
  if (p.nodePort !== undefined && p.nodePort !== 0) {
    if (type === 'ClusterIP')
      errs.push(forbidden(`${path}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
    else if (!validPort(p.nodePort)) errs.push(invalidValue(`${path}.nodePort`, p.nodePort, PORT_RANGE));
  }
  return errs;
}

export function validateService(s: KubeObject): FieldError[] {
  const sp = serviceSpec(s);
  const errs: FieldError[] = [];
  const type = sp.type;
  if (!type) errs.push(required('spec.type'));
  else if (!SERVICE_TYPES.includes(String(type))) errs.push(notSupported('spec.type', type, SERVICE_TYPES));
  if (type === 'ExternalName') {
    const name = typeof sp.externalName === 'string' ? sp.externalName : '';
    if (!name) errs.push(required('spec.externalName'));
    else {
      const cname = name.replace(/\.$/, '');
      errs.push(...fieldErrors('spec.externalName', cname, isDNS1123Subdomain(cname)));
    }
  }
  const ports = servicePorts(s);
  if (ports.length === 0 && !isHeadless(s) && type !== 'ExternalName') errs.push(required('spec.ports'));
  const names = new Set<string>();
  ports.forEach((p, i) => {
    errs.push(...validatePort(p, i, ports.length > 1, type));
    if (p.name) {
      if (names.has(p.name)) errs.push(duplicate(`spec.ports[${i}].name`, p.name));
      names.add(p.name);
    }
  });
  if (isRecord(sp.selector))
    errs.push(...validateLabels(sp.selector as Record<string, string>, 'spec.selector'));
  if (sp.sessionAffinity === undefined || sp.sessionAffinity === '')
    errs.push(required('spec.sessionAffinity'));
  else if (!AFFINITIES.includes(String(sp.sessionAffinity)))
    errs.push(notSupported('spec.sessionAffinity', sp.sessionAffinity, AFFINITIES));
  const ip = typeof sp.clusterIP === 'string' ? sp.clusterIP : '';
  if (ip && ip !== 'None' && type !== 'ExternalName' && isIP(ip) === 0)
    errs.push(
      invalidValue('spec.clusterIPs[0]', ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'),
    );
  if (ip === 'None' && (type === 'NodePort' || type === 'LoadBalancer'))
    errs.push(
      invalidValue('spec.clusterIPs[0]', ip, `may not be set to 'None' for ${String(type)} services`),
    );
  const etp = sp.externalTrafficPolicy;
  if (etp !== undefined && etp !== '' && !usesNodePorts(s))
    errs.push(
      invalidValue(
        'spec.externalTrafficPolicy',
        etp,
        "may only be set when `type` is 'NodePort' or 'LoadBalancer'",
      ),
    );
  return errs;
}

export function validateServiceUpdate(s: KubeObject, old: KubeObject): FieldError[] {
  if (serviceSpec(s).type === 'ExternalName' || serviceSpec(old).type === 'ExternalName') return [];
  if (isHeadless(s) && isHeadless(old)) return [];
  const now = clusterIPsOf(s);
  const before = clusterIPsOf(old);
  const errs: FieldError[] = [];
  if (before.length && now.length === 0)
    errs.push(invalidValue('spec.clusterIPs[0]', goStrings(now), 'primary clusterIP can not be unset'));
  before.forEach((ip, i) => {
    if (i < now.length && now[i] !== ip)
      errs.push(invalidValue(`spec.clusterIPs[${i}]`, goStrings(now), 'may not change once set'));
  });
  return errs;
}
