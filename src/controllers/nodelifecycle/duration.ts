// Go duration strings as upstream's flags take them ("40s", "1m30s", "500ms").
const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Milliseconds of a Go duration; throws on anything else. */
export function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let end = 0;
  if (text === '0') return 0;
  while ((m = re.exec(text))) {
    total += Number(m[1]) * UNITS[m[2]];
    end = re.lastIndex;
  }
  if (!text || end !== text.length) throw new Error(`invalid duration "${text}"`);
  return total;
}
