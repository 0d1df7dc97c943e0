// RFC 7386 JSON Merge Patch (application/merge-patch+json): objects merge, null deletes,
// everything else (lists included) replaces.
import { isRecord } from '../types.js';

export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isRecord(doc) ? { ...doc } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}
