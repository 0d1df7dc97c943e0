// Pod spec validation: the common cases with upstream's field paths and messages.
import { isRecord } from '../../../api/types.js';
import {
  duplicate,
  fieldErrors,
  invalidValue,
  isDNS1123Label,
  notSupported,
  required,
  type FieldError,
} from '../validation.js';

type Obj = Record<string, unknown>;

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function validateContainers(list: unknown, path: string, names: Set<string>, requireOne: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const items = Array.isArray(list) ? list : [];
  if (requireOne && items.length === 0) errs.push(required(path));
  items.forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (!isRecord(c)) return;
    const name = typeof c.name === 'string' ? c.name : '';
    if (!name) errs.push(required(`${p}.name`));
    else {
      errs.push(...fieldErrors(`${p}.name`, name, isDNS1123Label(name)));
      if (names.has(name)) errs.push(duplicate(`${p}.name`, name));
      names.add(name);
    }
    if (!c.image) errs.push(required(`${p}.image`));
    if (c.imagePullPolicy !== undefined && !PULL_POLICIES.includes(String(c.imagePullPolicy))) {
      errs.push(notSupported(`${p}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
    }
    (Array.isArray(c.ports) ? c.ports : []).forEach((port, j) => {
      if (!isRecord(port)) return;
      const pp = `${p}.ports[${j}]`;
      const n = port.containerPort;
      if (typeof n !== 'number' || n < 1 || n > 65535) errs.push(invalidValue(`${pp}.containerPort`, n ?? 0, 'must be between 1 and 65535, inclusive'));
      if (port.protocol !== undefined && !PROTOCOLS.includes(String(port.protocol))) errs.push(notSupported(`${pp}.protocol`, port.protocol, PROTOCOLS));
    });
  });
  return errs;
}

export function validatePodSpec(spec: unknown, path: string): FieldError[] {
  if (!isRecord(spec)) return [required(path)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  errs.push(...validateContainers(spec.containers, `${path}.containers`, names, true));
  errs.push(...validateContainers(spec.initContainers, `${path}.initContainers`, names, false));
  if (spec.restartPolicy !== undefined && !RESTART_POLICIES.includes(String(spec.restartPolicy))) {
    errs.push(notSupported(`${path}.restartPolicy`, spec.restartPolicy, RESTART_POLICIES));
  }
  if (spec.dnsPolicy !== undefined && !DNS_POLICIES.includes(String(spec.dnsPolicy))) {
    errs.push(notSupported(`${path}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES));
  }
  const grace = spec.terminationGracePeriodSeconds;
  if (typeof grace === 'number' && grace < 0) errs.push(invalidValue(`${path}.terminationGracePeriodSeconds`, grace, 'must be greater than or equal to 0'));
  const volumes = new Set<string>();
  (Array.isArray(spec.volumes) ? spec.volumes : []).forEach((v: unknown, i: number) => {
    if (!isRecord(v)) return;
    const name = String(v.name ?? '');
    if (!name) errs.push(required(`${path}.volumes[${i}].name`));
    else if (volumes.has(name)) errs.push(duplicate(`${path}.volumes[${i}].name`, name));
    else errs.push(...fieldErrors(`${path}.volumes[${i}].name`, name, isDNS1123Label(name)));
    volumes.add(name);
  });
  return errs;
}

export function validatePodTemplateSpec(tpl: unknown, path: string): FieldError[] {
  if (!isRecord(tpl)) return [required(path)];
  return validatePodSpec((tpl as Obj).spec, `${path}.spec`);
}
