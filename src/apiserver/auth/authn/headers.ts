// Request headers as separate values: kubectl sends one Impersonate-Group header per group,
// which Node would join with ", " in req.headers. rawHeaders keeps them apart.
import type { Req } from '../../http/io.js';

type WithRaw = Req & { rawHeaders?: string[] };

/** Every header as [lower-cased name, value] in arrival order. */
export function headerPairs(req: Req): [string, string][] {
  const raw = (req as WithRaw).rawHeaders;
  if (Array.isArray(raw)) {
    const out: [string, string][] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!.toLowerCase(), raw[i + 1]!]);
    return out;
  }
  const out: [string, string][] = [];
  for (const [name, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) out.push([name.toLowerCase(), one]);
  }
  return out;
}

export function headerValues(req: Req, name: string): string[] {
  const lower = name.toLowerCase();
  return headerPairs(req)
    .filter(([n]) => n === lower)
    .map(([, v]) => v);
}
