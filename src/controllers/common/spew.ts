// go-spew's `%#v` rendering (ConfigState{SortKeys, DisableMethods, SpewKeys}, v1.1.1), applied
// to a JSON value read as the Go type it decodes into. This is the text upstream feeds to
// FNV-32a for pod-template hashes (hashutil.DeepHashObject), so it must match byte for byte:
// struct fields all print with their types, nested values without, nil pointers as
// `(*T)<nil>`, nil slices and maps `<nil>`, strings unquoted, map keys sorted.
// Values are read as the controller manager reads them (protobuf): empty lists and maps are nil.
import { isRecord } from '../../api/types.js';
import { goTypeName, type GoType } from './go-types.js';
import { quantityParts } from './go-quantity.js';

export class UnsupportedForHash extends Error {}

const present = (v: unknown) => v !== undefined && v !== null;

export function spew(t: GoType, v: unknown, showType = true): string {
  const prefix = showType ? `(${goTypeName(t)})` : '';
  switch (t.k) {
    case 'str':
      return prefix + (present(v) ? String(v) : '');
    case 'int':
      return prefix + (present(v) ? String(Math.trunc(Number(v))) : '0');
    case 'bool':
      return prefix + (v === true ? 'true' : 'false');
    case 'ptr': {
      if (!present(v)) return showType ? `${prefix}<nil>` : '<nil>';
      return (showType ? prefix : '<*>') + spew(t.to, v, false);
    }
    case 'slice': {
      if (!Array.isArray(v) || v.length === 0) return `${prefix}<nil>`;
      return `${prefix}[${v.map((e) => spew(t.of, e, false)).join(' ')}]`;
    }
    case 'map': {
      // nil maps print as <nil> (go-spew 1.1: "nil maps should be indicated as different than empty maps")
      if (!isRecord(v) || Object.keys(v).length === 0) return `${prefix}<nil>`;
      const m = v;
      const keys = Object.keys(m).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      return `${prefix}map[${keys.map((k) => `${spew(t.key, k, false)}:${spew(t.val, m[k], false)}`).join(' ')}]`;
    }
    case 'struct': {
      const o = isRecord(v) ? v : {};
      const fields = t.fields.map(
        ([goName, json, ft]) => `${goName}:${spew(ft, json === undefined ? o : o[json], true)}`,
      );
      return `${prefix}{${fields.join(' ')}}`;
    }
    case 'opaque':
      throw new UnsupportedForHash(`${t.t} is not modelled for the pod-template hash`);
    case 'quantity': {
      const q = quantityParts(present(v) ? String(v) : '0');
      return (
        `${prefix}{i:(resource.int64Amount){value:(int64)${q.value} scale:(resource.Scale)${q.scale}} ` +
        `d:(resource.infDecAmount){Dec:(*inf.Dec)<nil>} s:(string)${q.cached} Format:(resource.Format)${q.format}}`
      );
    }
    case 'intstr': {
      const isString = typeof v === 'string';
      return `${prefix}{Type:(intstr.Type)${isString ? 1 : 0} IntVal:(int32)${isString ? 0 : Number(v ?? 0)} StrVal:(string)${isString ? v : ''}}`;
    }
    case 'time': {
      if (present(v)) throw new UnsupportedForHash('a set timestamp in a template is not modelled');
      return `${prefix}{Time:(time.Time){wall:(uint64)0 ext:(int64)0 loc:(*time.Location)<nil>}}`;
    }
  }
}
