// Ephemeral containers (kubectl debug): the rules upstream's pod validation adds for
// spec.ephemeralContainers, and what a write of the pods/ephemeralcontainers subresource may change.
import { isRecord, type KubeObject } from '../../../api/types.js';
import { forbidden, notFoundField, type FieldError } from '../validation.js';

type Obj = Record<string, unknown>;

const records = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isRecord) : []);
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';
const NOT_FOR_EPHEMERAL = 'cannot be set for an Ephemeral Container';

/**
 * The EphemeralContainerCommon fields an ephemeral container may not set, in the struct's field
 * order (upstream reports them in that order): they would make the container part of the
 * workload (ports, probes, lifecycle hooks) or need resources the pod was not sized for.
 */
const FORBIDDEN_FIELDS = [
  'ports',
  'resources',
  'resizePolicy',
  'restartPolicy',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'lifecycle',
];

/**
 * Whether a field differs from Go's zero value once decoded: absent and null are zero; `[]`
 * decodes to a non-nil slice and `{}` to a non-nil pointer, both set. `resources` is a struct,
 * not a pointer: `{}` (what kubectl debug sends) is its zero value.
 */
function isSet(v: unknown, field = ''): boolean {
  if (v === undefined || v === null || v === '' || v === false || v === 0) return false;
  if (field === 'resources' && isRecord(v))
    return Object.values(v).some((m) => m !== undefined && m !== null);
  return true;
}

/**
 * The checks of upstream's validateEphemeralContainers beyond what every container gets, for one
 * ephemeral container at `p` (the caller runs the common ones, with one name set across all
 * container lists for Duplicate errors).
 */
export function ephemeralChecks(spec: Obj): (ec: Obj, p: string) => FieldError[] {
  const others = new Set(
    [...records(spec.containers), ...records(spec.initContainers)].map((c) => String(c.name ?? '')),
  );
  return (ec, p) => {
    const errs: FieldError[] = [];
    const target = ec.targetContainerName;
    if (typeof target === 'string' && target !== '' && !others.has(target))
      errs.push(notFoundField(`${p}.targetContainerName`, target));
    for (const f of FORBIDDEN_FIELDS)
      if (isSet(ec[f], f)) errs.push(forbidden(`${p}.${f}`, NOT_FOR_EPHEMERAL));
    // subpaths are bind mounts that outlive the container until the pod goes
    records(ec.volumeMounts).forEach((m, j) => {
      for (const f of ['subPath', 'subPathExpr'])
        if (isSet(m[f])) errs.push(forbidden(`${p}.volumeMounts[${j}].${f}`, NOT_FOR_EPHEMERAL));
    });
    return errs;
  };
}

/** Pods are created without ephemeral containers; they come later through the subresource. */
export function validateNoEphemeralOnCreate(pod: KubeObject): FieldError[] {
  const spec = isRecord(pod.spec) ? pod.spec : {};
  return records(spec.ephemeralContainers).length
    ? [forbidden('spec.ephemeralContainers', 'cannot be set on create')]
    : [];
}

const canonical = (v: unknown): string =>
  JSON.stringify(v ?? null, (_k, x: unknown) =>
    isRecord(x) && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );

/** "-"/"+" lines per top-level field that differs (upstream prints a cmp.Diff there). */
function containerDiff(before: Obj, after: Obj): string {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const lines: string[] = [];
  for (const k of keys) {
    if (canonical(before[k]) === canonical(after[k])) continue;
    if (before[k] !== undefined) lines.push(`  - ${k}: ${canonical(before[k])}`);
    if (after[k] !== undefined) lines.push(`  + ${k}: ${canonical(after[k])}`);
  }
  return lines.join('\n');
}

/**
 * upstream's ValidatePodEphemeralContainersUpdate, after the spec checks: no ephemeral
 * containers on static (mirror) pods, and the existing ones stay exactly as they are. Matched
 * by name, as a patch may reorder the list.
 */
export function validateEphemeralContainersUpdate(pod: KubeObject, old: KubeObject): FieldError[] {
  if (old.metadata.annotations?.[MIRROR_ANNOTATION] !== undefined)
    return [forbidden('[]', 'static pods do not support ephemeral containers')];
  const specOf = (p: KubeObject): Obj => (isRecord(p.spec) ? p.spec : {});
  const now = new Map(records(specOf(pod).ephemeralContainers).map((c) => [String(c.name ?? ''), c]));
  const errs: FieldError[] = [];
  for (const prev of records(specOf(old).ephemeralContainers)) {
    const name = String(prev.name ?? '');
    const cur = now.get(name);
    if (!cur)
      errs.push(
        forbidden(
          'spec.ephemeralContainers',
          `existing ephemeral containers ${JSON.stringify(name)} may not be removed\n`,
        ),
      );
    else if (canonical(cur) !== canonical(prev))
      errs.push(
        forbidden(
          'spec.ephemeralContainers',
          `existing ephemeral containers ${JSON.stringify(name)} may not be changed\n${containerDiff(prev, cur)}`,
        ),
      );
  }
  return errs;
}
