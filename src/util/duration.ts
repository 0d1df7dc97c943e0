// Go duration strings, as upstream's flags take them.
/** Go duration strings as upstream's flags take them ("30s", "1m30s", "500ms"); a bare number is seconds. */
export function parseDuration(s: string, flag: string): number {
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * units[m[2]];
    pos = re.lastIndex;
  }
  if (pos !== s.length || !s)
    throw new Error(`invalid argument "${s}" for "--${flag}" flag: time: invalid duration "${s}"`);
  return total;
}
