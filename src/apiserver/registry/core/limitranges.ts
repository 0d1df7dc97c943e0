// limitranges (limits): container defaults filled from max/default/min as upstream's
// SetDefaults_LimitRangeItem does; upstream prints only NAME and CREATED AT.
import { isRecord } from '../../../api/types.js';
import { defineResource } from '../define.js';
import { defaultTable } from '../table.js';
import { notSupported, type FieldError } from '../validation.js';

type Obj = Record<string, unknown>;
const LIMIT_TYPES = ['Container', 'PersistentVolumeClaim', 'Pod'];

/** Copies the keys of `from` that `into` lacks; returns undefined when the result is empty. */
function fill(into: unknown, from: unknown): Obj | undefined {
  const out: Obj = { ...(isRecord(into) ? into : {}) };
  for (const [k, v] of Object.entries(isRecord(from) ? from : {})) if (out[k] === undefined) out[k] = v;
  return Object.keys(out).length ? out : undefined;
}

function limits(lr: Record<string, unknown>): Obj[] {
  const spec = isRecord(lr.spec) ? lr.spec : {};
  return Array.isArray(spec.limits) ? spec.limits.filter(isRecord) : [];
}

export const limitranges = defineResource({
  group: '',
  version: 'v1',
  resource: 'limitranges',
  kind: 'LimitRange',
  namespaced: true,
  shortNames: ['limits'],
  definition: 'io.k8s.api.core.v1.LimitRange',
  defaults(lr) {
    for (const item of limits(lr)) {
      if (item.type !== 'Container') continue;
      // default limit from max, default request from default limit, then from min
      const dflt = fill(item.default, item.max);
      if (dflt) item.default = dflt;
      const req = fill(fill(item.defaultRequest, item.default), item.min);
      if (req) item.defaultRequest = req;
    }
  },
  validate(lr) {
    const errs: FieldError[] = [];
    limits(lr).forEach((item, i) => {
      if (!LIMIT_TYPES.includes(String(item.type)))
        errs.push(notSupported(`spec.limits[${i}].type`, item.type ?? '', LIMIT_TYPES));
    });
    return errs;
  },
  table: defaultTable,
});
