// Copying and comparing JSON values (what objects, patches and field sets are made of), on
// every update's path. Only plain objects, arrays and primitives may be passed: the copy is
// several times faster than structuredClone because it handles nothing else (dates, maps,
// cycles, typed arrays), and the comparison builds no strings.

/** Deep copy. */
export function cloneJSON<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = cloneJSON(v[i]);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const k in v) out[k] = cloneJSON((v as Record<string, unknown>)[k]);
  return out as T;
}

/**
 * Deep equality of two JSON values as their serialisations compare, key order aside: object
 * keys whose value is undefined are absent, undefined in an array is null. Walks both values
 * once.
 */
export function sameJSON(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJSON(a[i] ?? null, b[i] ?? null)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let defined = 0;
  for (const k in x) {
    const v = x[k];
    if (v === undefined) continue;
    defined++;
    if (!sameJSON(v, y[k])) return false;
  }
  for (const k in y) if (y[k] !== undefined) defined--;
  return defined === 0;
}
