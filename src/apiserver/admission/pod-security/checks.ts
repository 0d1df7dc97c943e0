// The Pod Security Standards checks (k8s.io/pod-security-admission/policy): each looks at a
// pod's metadata and spec (v1 JSON) and says why it is not allowed, in upstream's words. A
// check has versions: the newest one not newer than the policy version applies.
import { isRecord } from '../../../api/types.js';

export type Obj = Record<string, unknown>;
export type Level = 'privileged' | 'baseline' | 'restricted';

export interface CheckResult {
  /** e.g. "allowPrivilegeEscalation != false" */
  reason: string;
  /** e.g. 'container "c" must set securityContext.allowPrivilegeEscalation=false'; may be '' */
  detail: string;
}

export type CheckFn = (meta: Obj, spec: Obj) => CheckResult | undefined;

export interface Check {
  id: string;
  level: 'baseline' | 'restricted';
  /** restricted checks that replace a baseline one */
  overrides?: string[];
  /** by minimum minor version (1.x), oldest first */
  versions: { minor: number; fn: CheckFn }[];
}

export const records = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isRecord) : []);
export const rec = (v: unknown): Obj | undefined => (isRecord(v) ? v : undefined);
export const pluralize = (one: string, many: string, n: number) => (n === 1 ? one : many);
export const joinQuote = (items: string[]) => items.map((s) => JSON.stringify(s)).join(', ');
/** sets.NewString(...).List(): unique and sorted */
export const sortedSet = (items: Iterable<string>) => [...new Set(items)].sort();

/** Init containers, containers, then ephemeral containers (upstream's visitContainers). */
export function visitContainers(spec: Obj): Obj[] {
  return [...records(spec.initContainers), ...records(spec.containers), ...records(spec.ephemeralContainers)];
}

export const containerSC = (c: Obj): Obj | undefined => rec(c.securityContext);
export const podSC = (spec: Obj): Obj | undefined => rec(spec.securityContext);
export const isWindows = (spec: Obj) => rec(spec.os)?.name === 'windows';

/** "container \"a\"" / "containers \"a\", \"b\"" */
export const containersPhrase = (names: string[]) =>
  `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;
