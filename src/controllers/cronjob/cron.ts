// Cron schedules as the CronJob controller reads them (robfig/cron/v3 ParseStandard): five
// fields (minute hour day-of-month month day-of-week) with *, ?, lists, ranges, steps and
// month/day names, the @yearly/@monthly/@weekly/@daily/@hourly descriptors and @every; next
// times follow robfig's Schedule.Next, on the wall clock of an IANA time zone (via Intl).
export class CronSyntaxError extends Error {}

interface Field {
  bits: bigint;
  star: boolean;
}

export interface Schedule {
  minute: Field;
  hour: Field;
  dom: Field;
  month: Field;
  dow: Field;
  /** @every: a fixed period in ms instead of fields */
  everyMs?: number;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function value(s: string, names: string[] | undefined, offset: number): number {
  if (names) {
    const i = names.indexOf(s.toLowerCase());
    if (i >= 0) return i + offset;
  }
  if (!/^\d+$/.test(s))
    throw new CronSyntaxError(`failed to parse int from ${s}: strconv.Atoi: parsing "${s}": invalid syntax`);
  return Number(s);
}

function parseField(expr: string, min: number, max: number, names?: string[], nameOffset = 0): Field {
  let bits = 0n;
  let star = false;
  for (const part of expr.split(',')) {
    const [rangeAndStep, ...more] = part.split('/');
    if (more.length > 1) throw new CronSyntaxError(`too many slashes: ${part}`);
    let start: number;
    let end: number;
    let step = 1;
    if (rangeAndStep === '*' || rangeAndStep === '?') {
      start = min;
      end = max;
      if (more.length === 0) star = true;
    } else {
      const bounds = rangeAndStep.split('-');
      if (bounds.length > 2) throw new CronSyntaxError(`too many hyphens: ${rangeAndStep}`);
      start = value(bounds[0], names, nameOffset);
      end = bounds.length === 2 ? value(bounds[1], names, nameOffset) : start;
    }
    if (more.length === 1) {
      step = value(more[0], undefined, 0);
      if (step === 0) throw new CronSyntaxError(`step of range should be a positive number: ${part}`);
      if (rangeAndStep !== '*' && rangeAndStep !== '?' && !rangeAndStep.includes('-')) end = max;
    }
    if (start < min)
      throw new CronSyntaxError(`beginning of range (${start}) below minimum (${min}): ${part}`);
    if (end > max) throw new CronSyntaxError(`end of range (${end}) above maximum (${max}): ${part}`);
    if (start > end)
      throw new CronSyntaxError(`beginning of range (${start}) beyond end of range (${end}): ${part}`);
    for (let i = start; i <= end; i += step) bits |= 1n << BigInt(i);
  }
  return { bits, star };
}

const has = (f: Field, n: number) => (f.bits & (1n << BigInt(n))) !== 0n;

export function parseSchedule(spec: string): Schedule {
  let s = spec.trim();
  if (s.startsWith('@every ')) {
    const ms = parseGoDuration(s.slice(7).trim());
    if (ms === undefined) throw new CronSyntaxError(`failed to parse duration ${s}`);
    const all = parseField('*', 0, 59);
    return { minute: all, hour: all, dom: all, month: all, dow: all, everyMs: ms };
  }
  if (s.startsWith('@')) {
    const d = DESCRIPTORS[s];
    if (!d) throw new CronSyntaxError(`unrecognized descriptor: ${s}`);
    s = d;
  }
  const f = s.split(/\s+/);
  if (f.length !== 5)
    throw new CronSyntaxError(`expected exactly 5 fields, found ${f.length}: [${f.join(' ')}]`);
  const dow = parseField(f[4], 0, 7, DAYS, 0);
  // 7 is Sunday too
  if (has(dow, 7)) dow.bits = (dow.bits | 1n) & ~(1n << 7n);
  return {
    minute: parseField(f[0], 0, 59),
    hour: parseField(f[1], 0, 23),
    dom: parseField(f[2], 1, 31),
    month: parseField(f[3], 1, 12, MONTHS, 1),
    dow,
  };
}

/** time.ParseDuration for the units @every uses (h, m, s, ms). */
function parseGoDuration(s: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let used = 0;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * { h: 3_600_000, m: 60_000, s: 1000, ms: 1 }[m[2] as 'h' | 'm' | 's' | 'ms'];
    used = re.lastIndex;
  }
  return used === s.length && total > 0 ? total : undefined;
}

/** Offset (ms) of `zone` from UTC at `instant`. */
function zoneOffset(instant: number, zone: string): number {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const p = Object.fromEntries(fmt.formatToParts(new Date(instant)).map((x) => [x.type, x.value]));
  const wall = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return wall - Math.floor(instant / 1000) * 1000;
}

/** Whether Intl knows the zone (time.LoadLocation's check). */
export function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function wallToInstant(wall: number, zone: string): number {
  const guess = wall - zoneOffset(wall, zone);
  return wall - zoneOffset(guess, zone);
}

/** robfig's Schedule.Next: the first activation strictly after `after`, or undefined within 5 years. */
export function nextAfter(s: Schedule, after: number, zone = 'UTC'): number | undefined {
  if (s.everyMs !== undefined) {
    // ConstantDelaySchedule: rounded to the second
    return Math.floor((after + s.everyMs) / 1000) * 1000;
  }
  // walk the wall clock of the zone as a UTC calendar
  const d = new Date(Math.floor((after + zoneOffset(after, zone)) / 1000) * 1000 + 1000);
  const yearLimit = d.getUTCFullYear() + 5;
  let added = false;
  const reset = (fn: () => void) => {
    if (!added) {
      added = true;
      fn();
    }
  };
  wrap: for (;;) {
    if (d.getUTCFullYear() > yearLimit) return undefined;
    while (!has(s.month, d.getUTCMonth() + 1)) {
      reset(() => {
        d.setUTCDate(1);
        d.setUTCHours(0, 0, 0, 0);
      });
      d.setUTCMonth(d.getUTCMonth() + 1);
      if (d.getUTCMonth() === 0) continue wrap;
    }
    while (!dayMatches(s, d)) {
      reset(() => {
        d.setUTCHours(0, 0, 0, 0);
      });
      d.setUTCDate(d.getUTCDate() + 1);
      if (d.getUTCDate() === 1) continue wrap;
    }
    while (!has(s.hour, d.getUTCHours())) {
      reset(() => {
        d.setUTCMinutes(0, 0, 0);
      });
      d.setUTCHours(d.getUTCHours() + 1);
      if (d.getUTCHours() === 0) continue wrap;
    }
    while (!has(s.minute, d.getUTCMinutes())) {
      reset(() => {
        d.setUTCSeconds(0, 0);
      });
      d.setUTCMinutes(d.getUTCMinutes() + 1);
      if (d.getUTCMinutes() === 0) continue wrap;
    }
    while (d.getUTCSeconds() !== 0) {
      reset(() => {
        d.setUTCMilliseconds(0);
      });
      d.setUTCSeconds(d.getUTCSeconds() + 1);
      if (d.getUTCSeconds() === 0) continue wrap;
    }
    return wallToInstant(d.getTime(), zone);
  }
}

function dayMatches(s: Schedule, d: Date): boolean {
  const dom = has(s.dom, d.getUTCDate());
  const dow = has(s.dow, d.getUTCDay());
  if (s.dom.star || s.dow.star) return dom && dow;
  return dom || dow;
}
