// Just enough of the Prometheus text format to read a kubelet's /metrics/resource: one sample
// per line, `name{label="value",...} value [timestamp-ms]`, comments skipped.
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?\s*$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

const unescape = (v: string) => v.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));

export function parsePrometheusText(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(LABEL)) labels[l[1]] = unescape(l[2]);
    const value = Number(m[4]);
    if (Number.isNaN(value)) continue;
    out.push({ name: m[1], labels, value, ...(m[5] !== undefined ? { timestampMs: Number(m[5]) } : {}) });
  }
  return out;
}
