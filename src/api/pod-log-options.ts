// core/v1 PodLogOptions from query parameters, validated as upstream
// (pkg/apis/core/validation ValidatePodLogOptions); shared by the API server's pods/log and
// the kubelet's /containerLogs.
export interface PodLogOptions {
  container?: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  sinceSeconds?: number;
  /** RFC 3339 as given. */
  sinceTime?: string;
  tailLines?: number;
  limitBytes?: number;
  insecureSkipTLSVerifyBackend: boolean;
}

export interface FieldProblem {
  field: string;
  /** The value as upstream prints it (numbers bare). */
  value: string;
  /** 'Invalid' or 'Forbidden'. */
  type: 'Invalid' | 'Forbidden';
  detail: string;
}

/** A query value that is not what the field's type wants: upstream answers 400 with the parse error. */
export class ParameterError extends Error {}

function bool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null || v === '') return false;
  // Go's strconv.ParseBool, which the parameter codec uses
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  throw new ParameterError(`strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}

function int(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^[+-]?\d+$/.test(v))
    throw new ParameterError(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}

export function parsePodLogOptions(q: URLSearchParams): PodLogOptions {
  const o: PodLogOptions = {
    follow: bool(q, 'follow'),
    previous: bool(q, 'previous'),
    timestamps: bool(q, 'timestamps'),
    insecureSkipTLSVerifyBackend: bool(q, 'insecureSkipTLSVerifyBackend'),
  };
  const container = q.get('container');
  if (container) o.container = container;
  const since = int(q, 'sinceSeconds');
  if (since !== undefined) o.sinceSeconds = since;
  const tail = int(q, 'tailLines');
  if (tail !== undefined) o.tailLines = tail;
  const limit = int(q, 'limitBytes');
  if (limit !== undefined) o.limitBytes = limit;
  const t = q.get('sinceTime');
  if (t) {
    if (Number.isNaN(Date.parse(t)) || !/^\d{4}-\d\d-\d\dT/.test(t))
      throw new ParameterError(
        `parsing time ${JSON.stringify(t)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(t)} as "2006"`,
      );
    o.sinceTime = t;
  }
  return o;
}

export function validatePodLogOptions(o: PodLogOptions): FieldProblem[] {
  const errs: FieldProblem[] = [];
  if (o.tailLines !== undefined && o.tailLines < 0)
    errs.push({
      field: 'tailLines',
      value: String(o.tailLines),
      type: 'Invalid',
      detail: 'must be greater than or equal to 0',
    });
  if (o.limitBytes !== undefined && o.limitBytes < 1)
    errs.push({
      field: 'limitBytes',
      value: String(o.limitBytes),
      type: 'Invalid',
      detail: 'must be greater than 0',
    });
  if (o.sinceSeconds !== undefined && o.sinceTime !== undefined)
    errs.push({
      field: '',
      value: '',
      type: 'Forbidden',
      detail: 'at most one of `sinceTime` or `sinceSeconds` may be specified',
    });
  else if (o.sinceSeconds !== undefined && o.sinceSeconds < 1)
    errs.push({
      field: 'sinceSeconds',
      value: String(o.sinceSeconds),
      type: 'Invalid',
      detail: 'must be greater than 0',
    });
  return errs;
}
