// The HPA's status conditions (AbleToScale, ScalingActive, ScalingLimited) and the comparison
// that decides whether a status write is needed (upstream's setCondition and
// updateStatusIfNeeded with apiequality.Semantic.DeepEqual).

export interface HPACondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export const nowStamp = (ms = Date.now()) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** Sets one condition; its transition time moves only when its status changes. */
export function setCondition(
  conditions: HPACondition[],
  type: string,
  status: HPACondition['status'],
  reason: string,
  message: string,
  now = nowStamp(),
): HPACondition[] {
  const out = conditions.map((c) => ({ ...c }));
  const existing = out.find((c) => c.type === type);
  if (!existing) {
    out.push({ type, status, lastTransitionTime: now, reason, message });
    return out;
  }
  if (existing.status !== status) existing.lastTransitionTime = now;
  existing.status = status;
  existing.reason = reason;
  existing.message = message;
  return out;
}

/** JSON with sorted keys, so that two statuses compare equal whatever order their keys came in. */
export function canonicalJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJSON).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJSON(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
