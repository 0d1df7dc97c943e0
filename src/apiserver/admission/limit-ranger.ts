// LimitRanger (plugin/pkg/admission/limitranger): fills containers' missing requests and limits
// from the namespace's LimitRanges (type Container: defaultRequest, default) and refuses pods
// and PVCs outside their min, max and maxLimitRequestRatio (types Container, Pod,
// PersistentVolumeClaim), with upstream's messages. Pods are looked at on create only (their
// containers' resources cannot change afterwards); PVCs on create and update.
import { isRecord, type KubeObject } from '../../api/types.js';
import { milliValue, quantityToString, quantityValue, type Quantity } from '../../api/quantity.js';
import { podResources, resourceList, type ResourceList } from '../../api/quota/resources.js';
import { admissionForbidden, aggregateMessage } from './errors.js';
import { liveLister } from './lookup.js';
import type { AdmissionDeps, AdmissionPlugin, AdmissionRequest } from './types.js';

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';
/** resource.MaxMilliValue: beyond it, milli-units would overflow int64 */
const MAX_MILLI_VALUE = 9223372036854775n;

type Obj = Record<string, unknown>;
const records = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isRecord) : []);

interface LimitItem {
  type: string;
  min: ResourceList;
  max: ResourceList;
  default: ResourceList;
  defaultRequest: ResourceList;
  maxLimitRequestRatio: ResourceList;
}

function limitItems(lr: KubeObject): LimitItem[] {
  const spec = isRecord(lr.spec) ? lr.spec : {};
  return records(spec.limits).map((l) => ({
    type: String(l.type ?? ''),
    min: resourceList(l.min),
    max: resourceList(l.max),
    default: resourceList(l.default),
    defaultRequest: resourceList(l.defaultRequest),
    maxLimitRequestRatio: resourceList(l.maxLimitRequestRatio),
  }));
}

const ZERO: Quantity = { nanos: 0n, format: 'DecimalSI' };
const str = (q: Quantity): string => quantityToString(q);

/** requestLimitEnforcedValues: milli-units when nothing overflows, else whole units. */
function comparable(req: Quantity, lim: Quantity, enforced: Quantity): [bigint, bigint, bigint] {
  const whole = [quantityValue(req), quantityValue(lim), quantityValue(enforced)] as const;
  if (whole.every((v) => v <= MAX_MILLI_VALUE))
    return [milliValue(req), milliValue(lim), milliValue(enforced)];
  return [...whole];
}

function minConstraint(
  type: string,
  name: string,
  enforced: Quantity,
  requests: ResourceList,
  limits: ResourceList,
): string | undefined {
  const req = requests.get(name);
  const lim = limits.get(name);
  const [r, l, e] = comparable(req ?? ZERO, lim ?? ZERO, enforced);
  if (!req) return `minimum ${name} usage per ${type} is ${str(enforced)}.  No request is specified`;
  if (r < e) return `minimum ${name} usage per ${type} is ${str(enforced)}, but request is ${str(req)}`;
  if (lim && l < e) return `minimum ${name} usage per ${type} is ${str(enforced)}, but limit is ${str(lim)}`;
  return undefined;
}

function maxConstraint(
  type: string,
  name: string,
  enforced: Quantity,
  requests: ResourceList,
  limits: ResourceList,
): string | undefined {
  const req = requests.get(name);
  const lim = limits.get(name);
  const [r, l, e] = comparable(req ?? ZERO, lim ?? ZERO, enforced);
  if (!lim) return `maximum ${name} usage per ${type} is ${str(enforced)}.  No limit is specified`;
  if (l > e) return `maximum ${name} usage per ${type} is ${str(enforced)}, but limit is ${str(lim)}`;
  if (req && r > e)
    return `maximum ${name} usage per ${type} is ${str(enforced)}, but request is ${str(req)}`;
  return undefined;
}

/** For PVCs, whose limits are not user input: the max applies to the request. */
function maxRequestConstraint(
  type: string,
  name: string,
  enforced: Quantity,
  requests: ResourceList,
): string | undefined {
  const req = requests.get(name);
  const [r, , e] = comparable(req ?? ZERO, ZERO, enforced);
  if (!req) return `maximum ${name} usage per ${type} is ${str(enforced)}.  No request is specified`;
  if (r > e) return `maximum ${name} usage per ${type} is ${str(enforced)}, but request is ${str(req)}`;
  return undefined;
}

function ratioConstraint(
  type: string,
  name: string,
  enforced: Quantity,
  requests: ResourceList,
  limits: ResourceList,
): string | undefined {
  const req = requests.get(name);
  const lim = limits.get(name);
  const [r, l] = comparable(req ?? ZERO, lim ?? ZERO, enforced);
  const head = `${name} max limit to request ratio per ${type} is ${str(enforced)}`;
  if (!req || r === 0n) return `${head}, but no request is specified or request is 0`;
  if (!lim || l === 0n) return `${head}, but no limit is specified or limit is 0`;
  const observed = Number(l) / Number(r);
  let ratio = observed;
  let allowed = Number(quantityValue(enforced));
  if (quantityValue(enforced) <= MAX_MILLI_VALUE) {
    ratio = observed * 1000;
    allowed = Number(milliValue(enforced));
  }
  // Go's %f: six decimals
  if (ratio > allowed) return `${head}, but provided ratio is ${observed.toFixed(6)}`;
  return undefined;
}

type Check = (t: string, n: string, e: Quantity, req: ResourceList, lim: ResourceList) => string | undefined;

function checkAll(item: LimitItem, requests: ResourceList, limits: ResourceList, errs: string[]): void {
  const run = (list: ResourceList, check: Check) => {
    for (const [name, enforced] of list) {
      const e = check(item.type, name, enforced, requests, limits);
      if (e) errs.push(e);
    }
  };
  run(item.min, minConstraint);
  run(item.max, maxConstraint);
  run(item.maxLimitRequestRatio, ratioConstraint);
}

/** Fills one container's missing requests/limits; returns what it set, for the annotation. */
function mergeContainer(c: Obj, defaults: LimitItem[], label: string): string[] {
  const res = isRecord(c.resources) ? c.resources : (c.resources = {});
  const set = (which: 'limits' | 'requests', from: (i: LimitItem) => ResourceList): string[] => {
    // later Container items override earlier ones, as upstream builds one default set
    const wanted = new Map<string, Quantity>();
    for (const item of defaults) for (const [k, q] of from(item)) wanted.set(k, q);
    const current = isRecord(res[which]) ? (res[which] as Obj) : {};
    const added: string[] = [];
    for (const [k, q] of wanted) {
      if (current[k] !== undefined) continue;
      current[k] = str(q);
      added.push(k);
    }
    if (added.length) res[which] = current;
    return added.sort();
  };
  const notes: string[] = [];
  const limits = set('limits', (i) => i.default);
  const requests = set('requests', (i) => i.defaultRequest);
  if (requests.length) notes.push(`${requests.join(', ')} request for ${label} ${String(c.name)}`);
  if (limits.length) notes.push(`${limits.join(', ')} limit for ${label} ${String(c.name)}`);
  return notes;
}

function mutatePod(lr: KubeObject, pod: KubeObject): void {
  const defaults = limitItems(lr).filter((i) => i.type === 'Container');
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const notes: string[] = [];
  for (const c of records(spec.containers)) notes.push(...mergeContainer(c, defaults, 'container'));
  for (const c of records(spec.initContainers)) notes.push(...mergeContainer(c, defaults, 'init container'));
  if (notes.length) {
    pod.metadata.annotations = {
      ...(pod.metadata.annotations ?? {}),
      [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}`,
    };
  }
}

function validatePod(lr: KubeObject, pod: KubeObject): string[] {
  const errs: string[] = [];
  const spec = isRecord(pod.spec) ? pod.spec : {};
  for (const item of limitItems(lr)) {
    if (item.type === 'Container') {
      for (const c of [...records(spec.containers), ...records(spec.initContainers)]) {
        const res = isRecord(c.resources) ? c.resources : {};
        checkAll(item, resourceList(res.requests), resourceList(res.limits), errs);
      }
    }
    if (item.type === 'Pod') {
      const requests = podResources(pod, 'requests', { overhead: false });
      const limits = podResources(pod, 'limits', { overhead: false });
      checkAll(item, requests, limits, errs);
    }
  }
  return errs;
}

function validateClaim(lr: KubeObject, pvc: KubeObject): string[] {
  const errs: string[] = [];
  const spec = isRecord(pvc.spec) ? pvc.spec : {};
  const requests = resourceList(isRecord(spec.resources) ? spec.resources.requests : undefined);
  for (const item of limitItems(lr)) {
    if (item.type !== 'PersistentVolumeClaim') continue;
    for (const [name, enforced] of item.min) {
      const e = minConstraint(item.type, name, enforced, requests, new Map());
      if (e) errs.push(e);
    }
    for (const [name, enforced] of item.max) {
      const e = maxRequestConstraint(item.type, name, enforced, requests);
      if (e) errs.push(e);
    }
  }
  return errs;
}

/** upstream's SupportsAttributes, plus "objects being deleted are left alone" */
function applies(req: AdmissionRequest): 'pod' | 'pvc' | undefined {
  if (req.subresource !== '' || req.group !== '' || !req.object) return undefined;
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return undefined;
  if (req.oldObject?.metadata.deletionTimestamp) return undefined;
  if (req.resource === 'pods') return req.operation === 'CREATE' ? 'pod' : undefined;
  if (req.resource === 'persistentvolumeclaims') return 'pvc';
  return undefined;
}

export function limitRanger(deps: AdmissionDeps): AdmissionPlugin {
  const list = liveLister(deps, '', 'limitranges');
  const ranges = (req: AdmissionRequest) => list(req.namespace);
  return {
    name: 'LimitRanger',
    async admit(req) {
      if (applies(req) !== 'pod') return;
      for (const lr of await ranges(req)) mutatePod(lr, req.object!);
    },
    async validate(req) {
      const kind = applies(req);
      if (!kind) return;
      for (const lr of await ranges(req)) {
        const errs = kind === 'pod' ? validatePod(lr, req.object!) : validateClaim(lr, req.object!);
        // upstream stops at the first LimitRange that refuses
        if (errs.length) throw admissionForbidden(req, aggregateMessage(errs));
      }
    },
  };
}
