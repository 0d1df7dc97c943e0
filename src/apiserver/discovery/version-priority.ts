// Kubernetes' version ordering (apimachinery's CompareKubeAwareVersionStrings): GA before beta
// before alpha, higher numbers first, and versions not of the vNbetaM form last, alphabetically.
// Discovery lists a group's versions in this order; the first is the preferred version.
const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

function rank(v: string): [number, number, number] | undefined {
  const m = KUBE_VERSION.exec(v);
  if (!m) return undefined;
  const stability = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
  return [stability, Number(m[1]), Number(m[3] ?? 0)];
}

/** Negative when a comes first. */
export function compareKubeVersions(a: string, b: string): number {
  const ra = rank(a);
  const rb = rank(b);
  if (!ra && !rb) return a < b ? -1 : a > b ? 1 : 0;
  if (!ra) return 1;
  if (!rb) return -1;
  if (ra[0] !== rb[0]) return rb[0] - ra[0];
  if (ra[1] !== rb[1]) return rb[1] - ra[1];
  return rb[2] - ra[2];
}
