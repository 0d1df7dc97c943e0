// Pod spec validation (upstream's ValidatePodSpec, the common cases): containers, ports, env,
// resources, volumes and mounts, policies — with upstream's field paths and messages.
import { isRecord } from '../../../api/types.js';
import { compareQuantities, quantityToString, tryParseQuantity } from '../../../api/quantity.js';
import { validateAnnotations, validateLabels } from '../meta-validation.js';
import { ephemeralChecks } from './pod-ephemeral.js';
import {
  duplicate,
  fieldErrors,
  invalidValue,
  isDNS1123Label,
  isDNS1123Subdomain,
  notFoundField,
  notSupported,
  required,
  type FieldError,
} from '../validation.js';

type Obj = Record<string, unknown>;

const records = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isRecord) : []);

// upstream lists these in its own (unsorted) order where it says so, else sorted
const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const MESSAGE_POLICIES = ['FallbackToLogsOnError', 'File'];
const PORT_RANGE = 'must be between 1 and 65535, inclusive';
const ENV_NAME_RE = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const ENV_NAME_MSG =
  "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')";
const PORT_NAME_RE = /^[-a-z0-9]+$/;

/** upstream's IsValidPortName messages (IANA service names). */
export function isValidPortName(name: string): string[] {
  const errs: string[] = [];
  if (name.length > 15) errs.push('must be no more than 15 characters');
  if (!PORT_NAME_RE.test(name))
    errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(name)) errs.push('must contain at least one letter (a-z)');
  if (name.includes('--')) errs.push('must not contain consecutive hyphens (--)');
  if (name.startsWith('-') || name.endsWith('-')) errs.push('must not begin or end with a hyphen (-)');
  return errs;
}

const validPort = (n: unknown): n is number =>
  typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;

function validatePorts(ports: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  records(ports).forEach((port, j) => {
    const pp = `${path}[${j}]`;
    if (typeof port.name === 'string' && port.name !== '') {
      errs.push(...fieldErrors(`${pp}.name`, port.name, isValidPortName(port.name)));
      if (names.has(port.name)) errs.push(duplicate(`${pp}.name`, port.name));
      names.add(port.name);
    }
    if (!validPort(port.containerPort))
      errs.push(invalidValue(`${pp}.containerPort`, port.containerPort ?? 0, PORT_RANGE));
    if (port.hostPort !== undefined && port.hostPort !== 0 && !validPort(port.hostPort))
      errs.push(invalidValue(`${pp}.hostPort`, port.hostPort, PORT_RANGE));
    if (!port.protocol) errs.push(required(`${pp}.protocol`));
    else if (!PROTOCOLS.includes(String(port.protocol)))
      errs.push(notSupported(`${pp}.protocol`, port.protocol, PROTOCOLS));
  });
  return errs;
}

function validateEnv(env: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  records(env).forEach((e, i) => {
    const name = typeof e.name === 'string' ? e.name : '';
    if (!name) errs.push(required(`${path}[${i}].name`));
    else if (!ENV_NAME_RE.test(name)) errs.push(invalidValue(`${path}[${i}].name`, name, ENV_NAME_MSG));
  });
  return errs;
}

function validateResources(res: unknown, path: string): FieldError[] {
  if (!isRecord(res)) return [];
  const errs: FieldError[] = [];
  const limits = isRecord(res.limits) ? res.limits : {};
  const requests = isRecord(res.requests) ? res.requests : {};
  for (const [name, raw] of Object.entries(requests)) {
    const req = tryParseQuantity(String(raw));
    const lim = limits[name] === undefined ? undefined : tryParseQuantity(String(limits[name]));
    if (req && lim && compareQuantities(req, lim) > 0)
      errs.push(
        invalidValue(
          `${path}.requests[${name}]`,
          quantityToString(req),
          `must be less than or equal to ${name} limit of ${quantityToString(lim)}`,
        ),
      );
  }
  return errs;
}

function validateContainers(
  list: unknown,
  path: string,
  names: Set<string>,
  volumes: Set<string>,
  requireOne: boolean,
  /** Checks of one container's kind, reported after the common ones of the same container. */
  extra?: (c: Obj, path: string) => FieldError[],
): FieldError[] {
  const errs: FieldError[] = [];
  const items = Array.isArray(list) ? list : [];
  if (requireOne && items.length === 0) errs.push(required(path));
  items.forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (!isRecord(c)) return;
    const name = typeof c.name === 'string' ? c.name : '';
    if (!name) errs.push(required(`${p}.name`));
    else {
      const msgs = isDNS1123Label(name);
      errs.push(...fieldErrors(`${p}.name`, name, msgs));
      if (!msgs.length && names.has(name)) errs.push(duplicate(`${p}.name`, name));
      names.add(name);
    }
    if (!c.image) errs.push(required(`${p}.image`));
    if (!c.imagePullPolicy) errs.push(required(`${p}.imagePullPolicy`));
    else if (!PULL_POLICIES.includes(String(c.imagePullPolicy)))
      errs.push(notSupported(`${p}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
    if (
      c.terminationMessagePolicy !== undefined &&
      !MESSAGE_POLICIES.includes(String(c.terminationMessagePolicy))
    )
      errs.push(notSupported(`${p}.terminationMessagePolicy`, c.terminationMessagePolicy, MESSAGE_POLICIES));
    errs.push(...validatePorts(c.ports, `${p}.ports`));
    errs.push(...validateEnv(c.env, `${p}.env`));
    errs.push(...validateResources(c.resources, `${p}.resources`));
    records(c.volumeMounts).forEach((m, j) => {
      const mp = `${p}.volumeMounts[${j}]`;
      const mountName = typeof m.name === 'string' ? m.name : '';
      if (!mountName) errs.push(required(`${mp}.name`));
      else if (!volumes.has(mountName)) errs.push(notFoundField(`${mp}.name`, mountName));
      if (!m.mountPath) errs.push(required(`${mp}.mountPath`));
    });
    if (extra) errs.push(...extra(c, p));
  });
  return errs;
}

function validateVolumes(list: unknown, path: string): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  records(list).forEach((v, i) => {
    const np = `${path}[${i}].name`;
    const name = typeof v.name === 'string' ? v.name : '';
    if (!name) errs.push(required(np));
    else errs.push(...fieldErrors(np, name, isDNS1123Label(name)));
    if (name && names.has(name)) errs.push(duplicate(np, name));
    names.add(name);
  });
  return { errs, names };
}

export function validatePodSpec(spec: unknown, path: string): FieldError[] {
  if (!isRecord(spec)) return [required(`${path}.containers`)];
  const errs: FieldError[] = [];
  const vols = validateVolumes(spec.volumes, `${path}.volumes`);
  errs.push(...vols.errs);
  const names = new Set<string>();
  errs.push(...validateContainers(spec.containers, `${path}.containers`, names, vols.names, true));
  errs.push(...validateContainers(spec.initContainers, `${path}.initContainers`, names, vols.names, false));
  const ephemeralPath = `${path}.ephemeralContainers`;
  const ephemeralOnly = ephemeralChecks(spec);
  errs.push(
    ...validateContainers(spec.ephemeralContainers, ephemeralPath, names, vols.names, false, ephemeralOnly),
  );
  if (!spec.restartPolicy) errs.push(required(`${path}.restartPolicy`));
  else if (!RESTART_POLICIES.includes(String(spec.restartPolicy)))
    errs.push(notSupported(`${path}.restartPolicy`, spec.restartPolicy, RESTART_POLICIES));
  if (!spec.dnsPolicy) errs.push(required(`${path}.dnsPolicy`));
  else if (!DNS_POLICIES.includes(String(spec.dnsPolicy)))
    errs.push(notSupported(`${path}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES));
  for (const field of ['activeDeadlineSeconds']) {
    const v = spec[field];
    if (v !== undefined && (typeof v !== 'number' || v < 1))
      errs.push(invalidValue(`${path}.${field}`, v, 'must be between 1 and 2147483647, inclusive'));
  }
  if (spec.nodeName !== undefined && spec.nodeName !== '')
    errs.push(...fieldErrors(`${path}.nodeName`, spec.nodeName, nodeNameMessages(String(spec.nodeName))));
  if (isRecord(spec.nodeSelector))
    errs.push(...validateLabels(spec.nodeSelector as Record<string, string>, `${path}.nodeSelector`));
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName !== '')
    errs.push(
      ...fieldErrors(
        `${path}.serviceAccountName`,
        spec.serviceAccountName,
        nodeNameMessages(spec.serviceAccountName),
      ),
    );
  return errs;
}

/** Node and service-account names are DNS-1123 subdomains. */
function nodeNameMessages(name: string): string[] {
  return isDNS1123Subdomain(name);
}

export function validatePodTemplateSpec(tpl: unknown, path: string): FieldError[] {
  if (!isRecord(tpl)) return [required(path)];
  const meta = isRecord(tpl.metadata) ? tpl.metadata : {};
  return [
    ...validateLabels(meta.labels as Record<string, string> | undefined, `${path}.metadata.labels`),
    ...validateAnnotations(
      meta.annotations as Record<string, string> | undefined,
      `${path}.metadata.annotations`,
    ),
    ...validatePodSpec(tpl.spec, `${path}.spec`),
  ];
}
