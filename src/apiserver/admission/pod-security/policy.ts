// Namespace policies and their evaluation (k8s.io/pod-security-admission/api and policy
// registry): the pod-security.kubernetes.io/{enforce,audit,warn}[-version] labels, and which
// checks a level and version run, in upstream's order (baseline IDs sorted, then restricted).
import { baselineChecks } from './baseline.js';
import { restrictedChecks } from './restricted.js';
import type { Check, CheckResult, Level, Obj } from './checks.js';

export const LABEL_PREFIX = 'pod-security.kubernetes.io/';
const LEVELS: Level[] = ['privileged', 'baseline', 'restricted'];
const VERSION_RE = /^v1\.([0-9]|[1-9][0-9]*)$/;

export interface LevelVersion {
  level: Level;
  /** minor version of 1.x; undefined = latest */
  minor: number | undefined;
}

export interface Policy {
  enforce: LevelVersion;
  audit: LevelVersion;
  warn: LevelVersion;
}

export interface LabelError {
  label: string;
  value: string;
  detail: string;
}

export const levelVersionString = (lv: LevelVersion) =>
  `${lv.level}:${lv.minor === undefined ? 'latest' : `v1.${lv.minor}`}`;

const PRIVILEGED_POLICY: Policy = {
  enforce: { level: 'privileged', minor: undefined },
  audit: { level: 'privileged', minor: undefined },
  warn: { level: 'privileged', minor: undefined },
};

/** ParseLevel: an unknown level reads as restricted, with the error. */
export function parseLevel(value: string): { level: Level; error?: string } {
  return LEVELS.includes(value as Level)
    ? { level: value as Level }
    : { level: 'restricted', error: `must be one of ${LEVELS.join(', ')}` };
}

/** ParseVersion: "latest" or "v1.x" (minor undefined = latest, also on error). */
export function parseVersion(value: string): { minor: number | undefined; error?: string } {
  if (value === 'latest') return { minor: undefined };
  const m = VERSION_RE.exec(value);
  return m ? { minor: Number(m[1]) } : { minor: undefined, error: 'must be "latest" or "v1.x"' };
}

/**
 * PolicyToEvaluate: labels override the configured defaults; unparsable levels enforce
 * restricted and warn/audit privileged (fail open); versions fall back to latest. Without a
 * warn label, warn follows a stricter enforce level (and its version, unless warn-version is
 * set), so workloads get warned about (upstream since 1.26, kubernetes#113491).
 */
export function namespacePolicy(
  labels: Record<string, string> | undefined,
  defaults: Policy = PRIVILEGED_POLICY,
): {
  policy: Policy;
  errors: LabelError[];
} {
  const policy: Policy = structuredClone(defaults);
  const errors: LabelError[] = [];
  if (!labels || !Object.keys(labels).length) return { policy, errors };
  for (const mode of ['enforce', 'audit', 'warn'] as const) {
    const level = labels[LABEL_PREFIX + mode];
    if (level !== undefined) {
      const parsed = parseLevel(level);
      policy[mode].level = parsed.error && mode !== 'enforce' ? 'privileged' : parsed.level;
      if (parsed.error) errors.push({ label: LABEL_PREFIX + mode, value: level, detail: parsed.error });
    }
    const version = labels[`${LABEL_PREFIX}${mode}-version`];
    if (version !== undefined) {
      const parsed = parseVersion(version);
      policy[mode].minor = parsed.minor;
      if (parsed.error)
        errors.push({ label: `${LABEL_PREFIX}${mode}-version`, value: version, detail: parsed.error });
    }
  }
  const has = (label: string) => labels[LABEL_PREFIX + label] !== undefined;
  const validEnforce = has('enforce') && LEVELS.includes(labels[`${LABEL_PREFIX}enforce`] as Level);
  if (!has('warn') && validEnforce && rank(policy.enforce.level) > rank(policy.warn.level)) {
    policy.warn.level = policy.enforce.level;
    if (!has('warn-version')) policy.warn.minor = policy.enforce.minor;
  }
  return { policy, errors };
}

/** CompareLevels: privileged < baseline < restricted */
export const rank = (l: Level) => LEVELS.indexOf(l);

export const fullyPrivileged = (p: Policy) =>
  p.enforce.level === 'privileged' && p.audit.level === 'privileged' && p.warn.level === 'privileged';

/** The newest policy version any check knows; later versions evaluate as this one. */
const MAX_MINOR = Math.max(
  ...[...baselineChecks, ...restrictedChecks].flatMap((c) => c.versions.map((v) => v.minor)),
);

function versionOf(check: Check, minor: number) {
  return [...check.versions].reverse().find((v) => v.minor <= minor);
}

/** The forbidden results of every check the level and version run, in upstream's order. */
export function evaluatePod(lv: LevelVersion, meta: Obj, spec: Obj): CheckResult[] {
  if (lv.level === 'privileged') return [];
  const minor = lv.minor === undefined ? MAX_MINOR : Math.min(lv.minor, MAX_MINOR);
  const restricted = lv.level === 'restricted' ? restrictedChecks.filter((c) => versionOf(c, minor)) : [];
  const overridden = new Set(restricted.flatMap((c) => c.overrides ?? []));
  const checks = [...baselineChecks.filter((c) => !overridden.has(c.id)), ...restricted];
  const out: CheckResult[] = [];
  for (const check of checks) {
    const r = versionOf(check, minor)?.fn(meta, spec);
    if (r) out.push(r);
  }
  return out;
}

/** "a (detail), b" — AggregateCheckResult.ForbiddenDetail */
export const forbiddenDetail = (results: CheckResult[]) =>
  results.map((r) => (r.detail ? `${r.reason} (${r.detail})` : r.reason)).join(', ');

/** "a, b" — AggregateCheckResult.ForbiddenReason */
export const forbiddenReason = (results: CheckResult[]) => results.map((r) => r.reason).join(', ');
