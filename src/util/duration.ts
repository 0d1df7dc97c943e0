// Go duration strings ("40s", "1m30s", "500ms", "0"), as upstream's flags and fields take them.
const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Milliseconds of a Go duration; throws `invalid duration "x"` on anything else. */
export function goDurationMs(text: string): number {
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let end = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * UNITS[m[2]];
    end = re.lastIndex;
  }
  if (!text || end !== text.length) throw new Error(`invalid duration "${text}"`);
  return total;
}

/** A duration flag's value in ms: a Go duration, or a bare number of seconds. */
export function parseDuration(s: string, flag: string): number {
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  try {
    return goDurationMs(s);
  } catch {
    throw new Error(`invalid argument "${s}" for "--${flag}" flag: time: invalid duration "${s}"`);
  }
}
