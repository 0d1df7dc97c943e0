// The JSONPath subset printer columns use (upstream accepts "simple" paths: fields, indexes,
// [*], quoted keys and equality filters such as .status.conditions[?(@.type=="Ready")].status).
// Returns the first result, as upstream's table convertor does.
import { isRecord } from '../../api/types.js';

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: string[]; value: string };

export function parseJSONPath(path: string): Step[] | undefined {
  const steps: Step[] = [];
  let rest = path.trim().replace(/^\{|\}$/g, '');
  while (rest.length) {
    let m: RegExpExecArray | null;
    if ((m = /^\.([A-Za-z0-9_-]+)/.exec(rest))) steps.push({ kind: 'field', name: m[1] });
    else if ((m = /^\[['"]([^'"]+)['"]\]/.exec(rest))) steps.push({ kind: 'field', name: m[1] });
    else if ((m = /^\[(\d+)\]/.exec(rest))) steps.push({ kind: 'index', index: Number(m[1]) });
    else if ((m = /^\[\*\]/.exec(rest))) steps.push({ kind: 'all' });
    else if ((m = /^\[\?\(@((?:\.[A-Za-z0-9_-]+)+)\s*==\s*['"]([^'"]*)['"]\)\]/.exec(rest)))
      steps.push({ kind: 'filter', path: m[1].slice(1).split('.'), value: m[2] });
    else return undefined;
    rest = rest.slice(m[0].length);
  }
  return steps;
}

export function evaluateJSONPath(obj: unknown, steps: Step[]): unknown[] {
  let cur: unknown[] = [obj];
  for (const s of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (s.kind === 'field' && isRecord(v) && v[s.name] !== undefined) next.push(v[s.name]);
      else if (s.kind === 'index' && Array.isArray(v) && s.index < v.length) next.push(v[s.index]);
      else if (s.kind === 'all' && Array.isArray(v)) next.push(...(v as unknown[]));
      else if (s.kind === 'filter' && Array.isArray(v))
        for (const item of v as unknown[]) {
          let x: unknown = item;
          for (const f of s.path) x = isRecord(x) ? x[f] : undefined;
          if (x !== undefined && String(x) === s.value) next.push(item);
        }
    }
    cur = next;
  }
  return cur;
}
