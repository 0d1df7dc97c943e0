// How kube-apiserver reports patch failures, and Go's %v rendering of decoded JSON that some of
// the strategic-merge-patch messages embed.
import { StatusError } from '../errors.js';
import { isRecord } from '../types.js';

/** The text errors.NewGenericServerResponse gives a 422 (the library's detail is not shown). */
export const GENERIC_UNPROCESSABLE = 'the server rejected our request due to an error in our request';

/**
 * A patch that does not apply. Upstream answers 422 Invalid with only the generic text; the
 * library's own explanation (e.g. `testing value /spec/replicas failed: test failed`) is kept
 * in `detail` for logs and tests.
 */
export class PatchApplyError extends StatusError {
  constructor(readonly detail: string) {
    super(422, 'Invalid', GENERIC_UNPROCESSABLE, {});
  }
}

/**
 * A plain Go error from the strategic-merge-patch library: the apiserver passes it through
 * unconverted, which becomes a 500 whose message is the error text.
 */
export function unconvertedError(message: string): StatusError {
  return new StatusError(500, 'InternalError', message);
}

/** fmt's %v of a decoded JSON value: map[a:1 b:[x y]] with sorted keys, <nil> for null. */
export function goFormat(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (isRecord(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goFormat(v[k])}`).join(' ')}]`;
  }
  return String(v);
}
