// What a pod update may change (upstream's ValidatePodUpdate): images, activeDeadlineSeconds
// (only down), tolerations (only additions), schedulingGates (only removals), and a negative
// terminationGracePeriodSeconds set to 1. Anything else is the well-known Forbidden error.
import { isRecord, type KubeObject } from '../../../api/types.js';
import { sameJSON } from '../../endpoints/meta.js';
import { forbidden, invalidValue, required, type FieldError } from '../validation.js';

type Obj = Record<string, unknown>;

const UPDATABLE_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

const specOf = (p: KubeObject): Obj => (isRecord(p.spec) ? p.spec : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const json = (v: unknown): string => JSON.stringify(v ?? null, sortKeys);

function sortKeys(_k: string, v: unknown): unknown {
  return isRecord(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v;
}

/** Lines "- path: old" / "+ path: new" for the top-level spec fields that differ. */
function specDiff(before: Obj, after: Obj): string {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const lines: string[] = [];
  for (const k of keys) {
    if (sameJSON(before[k], after[k])) continue;
    if (before[k] !== undefined) lines.push(`  - ${k}: ${json(before[k])}`);
    if (after[k] !== undefined) lines.push(`  + ${k}: ${json(after[k])}`);
  }
  return lines.join('\n');
}

function validateContainerImages(now: unknown, before: unknown, path: string): FieldError[] {
  const a = list(now);
  const b = list(before);
  if (a.length !== b.length) return [forbidden(path, 'pod updates may not add or remove containers')];
  const errs: FieldError[] = [];
  a.forEach((c, i) => {
    if (isRecord(c) && !c.image) errs.push(required(`${path}[${i}].image`));
  });
  return errs;
}

const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

const annotationsOf = (p: KubeObject): Record<string, unknown> =>
  isRecord(p.metadata) && isRecord(p.metadata.annotations) ? p.metadata.annotations : {};

/**
 * A mirror pod's annotation is the kubelet's link to its static pod: no update, the status
 * subresource's included, may add, change or remove it (upstream matches the key by prefix).
 */
export function validateMirrorAnnotationUpdate(pod: KubeObject, old: KubeObject): FieldError[] {
  const now = annotationsOf(pod);
  const before = annotationsOf(old);
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(before)) {
    if (k.startsWith(MIRROR_ANNOTATION) && now[k] !== v)
      errs.push(forbidden(`metadata.annotations[${k}]`, 'may not remove or update mirror pod annotation'));
  }
  for (const k of Object.keys(now)) {
    if (k.startsWith(MIRROR_ANNOTATION) && !(k in before))
      errs.push(forbidden(`metadata.annotations[${k}]`, 'may not add mirror pod annotation'));
  }
  return errs;
}

export function validatePodUpdate(pod: KubeObject, old: KubeObject): FieldError[] {
  const spec = specOf(pod);
  const prev = specOf(old);
  const errs: FieldError[] = [
    ...validateContainerImages(spec.containers, prev.containers, 'spec.containers'),
    ...validateContainerImages(spec.initContainers, prev.initContainers, 'spec.initContainers'),
  ];
  if (errs.length) return errs;

  const deadline = spec.activeDeadlineSeconds;
  const oldDeadline = prev.activeDeadlineSeconds;
  if (typeof deadline === 'number') {
    if (deadline < 0 || deadline > 2147483647)
      errs.push(
        invalidValue('spec.activeDeadlineSeconds', deadline, 'must be between 0 and 2147483647, inclusive'),
      );
    if (typeof oldDeadline === 'number' && oldDeadline < deadline)
      errs.push(
        invalidValue('spec.activeDeadlineSeconds', deadline, 'must be less than or equal to previous value'),
      );
  } else if (typeof oldDeadline === 'number') {
    errs.push(
      invalidValue(
        'spec.activeDeadlineSeconds',
        null,
        'must not update from a positive integer to nil value',
      ),
    );
  }

  const tolerations = list(spec.tolerations);
  if (list(prev.tolerations).some((t) => !tolerations.some((n) => sameJSON(n, t))))
    errs.push(
      forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'),
    );
  const gates = list(prev.schedulingGates);
  if (list(spec.schedulingGates).some((g) => !gates.some((o) => sameJSON(o, g))))
    errs.push(forbidden('spec.schedulingGates', 'only deletion is allowed, but found new scheduling gate'));

  // everything else must be as it was: compare with the updatable fields taken from the old spec
  // (shallow copies: only the images and the top-level fields below are replaced)
  const munged: Obj = { ...spec };
  for (const kind of ['containers', 'initContainers']) {
    const olds = list(prev[kind]);
    if (Array.isArray(munged[kind]))
      munged[kind] = list(munged[kind]).map((c, i) => {
        const o = olds[i];
        return isRecord(c) && isRecord(o) ? { ...c, image: o.image } : c;
      });
  }
  for (const k of ['activeDeadlineSeconds', 'tolerations', 'schedulingGates']) {
    if (prev[k] === undefined) delete munged[k];
    else munged[k] = prev[k];
  }
  const grace = prev.terminationGracePeriodSeconds;
  if (typeof grace === 'number' && grace < 0 && munged.terminationGracePeriodSeconds === 1)
    munged.terminationGracePeriodSeconds = grace;
  if (!sameJSON(munged, prev)) {
    errs.push(
      forbidden(
        'spec',
        `pod updates may not change fields other than ${UPDATABLE_FIELDS.join(',')}\n${specDiff(prev, munged)}`,
      ),
    );
  }
  return errs;
}
