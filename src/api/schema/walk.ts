// Schema-driven decode checks: what kube-apiserver's decode of a body into upstream's Go structs
// would notice, and what its decode/encode round trip would change.
//  - Unknown fields are reported with the strict decoder's path (sigs.k8s.io/json): struct fields
//    and map keys joined by ".", list items as "[i]" (e.g. "spec.template.spec.containers[0].imagez"),
//    and removed, as the typed round trip drops them.
//  - A JSON value of the wrong type is reported with encoding/json's text, e.g.
//    `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`
//    (the innermost struct's name, then the struct-field path without list indices or map keys).
//    Like Go, only the first such error is kept; an error from a custom decoder (Quantity,
//    IntOrString, Time) ends the decode and wins.
//  - Nulls in struct fields are dropped (omitempty); nulls in maps become the element's zero value.
//  - Quantities are re-emitted the way upstream's Quantity marshals them ("0.5" -> "500m").
// Fields under x-kubernetes-preserve-unknown-fields / embedded resources are free-form, and map
// values (additionalProperties) are never "unknown".
import { isRecord } from '../types.js';
import { QUANTITY_FORMAT_ERROR, QuantityParseError, parseQuantity, quantityToString } from '../quantity.js';
import { INT_OR_STRING, QUANTITY, TIME, MICRO_TIME, type Definitions, type PropSchema } from './dsl.js';

export interface DecodeCheck {
  /** Strict-decoding paths of unknown fields, in document order, deduplicated (upstream keeps 100). */
  unknownFields: string[];
  /** At most one message: the error Go's decoder would return for a JSON type mismatch. */
  typeErrors: string[];
}

const MAX_STRICT_ERRORS = 100;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Walk state: the two path notations Go keeps while decoding. */
interface Walk {
  defs: Definitions;
  unknown: string[];
  seen: Set<string>;
  /** First UnmarshalTypeError (Go saves it and carries on). */
  typeError?: string;
  /** An error returned by a custom UnmarshalJSON: decoding stops. */
  fatal?: string;
}

interface Context {
  /** Strict path: "spec.containers[0]" (map keys included). */
  path: string;
  /** Go struct-field path: ["spec", "containers"] (no indices, no map keys). */
  fields: string[];
  /** Go name of the innermost struct whose field we are in, e.g. "DeploymentSpec". */
  struct: string;
}

export function checkAndNormalize(obj: unknown, definitionName: string, defs: Definitions): DecodeCheck {
  const w: Walk = { defs, unknown: [], seen: new Set() };
  if (defs[definitionName]) {
    walkValue(obj, { $ref: definitionName }, w, { path: '', fields: [], struct: '' }, undefined);
  }
  const error = w.fatal ?? w.typeError;
  return { unknownFields: w.unknown, typeErrors: error === undefined ? [] : [error] };
}

function resolve(node: PropSchema | undefined, defs: Definitions): PropSchema | undefined {
  let n = node;
  for (let i = 0; n?.$ref && i < 16; i++) n = defs[n.$ref];
  return n;
}

/** The Go type name a $ref stands for: 'io.k8s.api.apps.v1.DeploymentSpec' -> 'v1.DeploymentSpec'. */
function goRefName(ref: string): string {
  const parts = ref.split('.');
  return parts.length >= 2 ? `${parts[parts.length - 2]}.${parts[parts.length - 1]}` : ref;
}

/** reflect.Type.String() of the Go type behind a schema node. */
function goTypeName(node: PropSchema | undefined, defs: Definitions): string {
  if (!node) return 'interface {}';
  if (node.$ref) return goRefName(node.$ref);
  switch (node.type) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return 'float64';
    case 'integer':
      // The generated definitions carry no int formats; most Kubernetes integers are int32.
      return node.format === 'int64' ? 'int64' : 'int32';
    case 'array':
      return `[]${goTypeName(node.items, defs)}`;
    case 'object':
      if (node.additionalProperties) return `map[string]${goTypeName(node.additionalProperties, defs)}`;
      return node.properties ? 'struct' : 'map[string]interface {}';
    default:
      return 'interface {}';
  }
}

/** How encoding/json names a JSON value in "cannot unmarshal X into ...". */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'object') return 'object';
  return 'string';
}

function saveTypeError(w: Walk, ctx: Context, value: string, goType: string): void {
  if (w.typeError !== undefined) return;
  w.typeError =
    ctx.fields.length > 0
      ? `json: cannot unmarshal ${value} into Go struct field ${ctx.struct}.${ctx.fields.join('.')} of type ${goType}`
      : `json: cannot unmarshal ${value} into Go value of type ${goType}`;
}

function saveUnknown(w: Walk, path: string): void {
  if (w.unknown.length >= MAX_STRICT_ERRORS || w.seen.has(path)) return;
  w.seen.add(path);
  w.unknown.push(path);
}

/** Checks v against node; `replace` stores a normalized value (a canonical quantity) in v's place. */
function walkValue(
  v: unknown,
  node: PropSchema,
  w: Walk,
  ctx: Context,
  replace: ((nv: unknown) => void) | undefined,
): void {
  if (w.fatal !== undefined) return;
  const ref = node.$ref;
  if (ref === QUANTITY) return walkQuantity(v, w, replace);
  if (ref === INT_OR_STRING || node['x-kubernetes-int-or-string']) return walkIntOrString(v, w);
  if (ref === TIME || ref === MICRO_TIME) {
    if (typeof v !== 'string') w.fatal = `json: cannot unmarshal ${jsonKind(v)} into Go value of type string`;
    return;
  }
  const n = resolve(node, w.defs);
  if (!n || n['x-kubernetes-preserve-unknown-fields'] || n['x-kubernetes-embedded-resource']) return;
  if (n['x-kubernetes-int-or-string']) return walkIntOrString(v, w);
  switch (n.type) {
    case 'string':
      if (typeof v !== 'string') saveTypeError(w, ctx, jsonKind(v), goTypeName(node, w.defs));
      return;
    case 'boolean':
      if (typeof v !== 'boolean') saveTypeError(w, ctx, jsonKind(v), 'bool');
      return;
    case 'integer':
    case 'number':
      return walkNumber(v, node, n, w, ctx);
    case 'array':
      return walkArray(v, node, n, w, ctx);
    default:
      return walkObject(v, node, n, w, ctx);
  }
}

function walkNumber(v: unknown, node: PropSchema, n: PropSchema, w: Walk, ctx: Context): void {
  const goType = goTypeName(node.$ref ? n : node, w.defs);
  if (typeof v !== 'number') {
    saveTypeError(w, ctx, jsonKind(v), goType);
    return;
  }
  if (n.type !== 'integer') return;
  // Only an explicit int32 format is range-checked: without a format the Go type is not known,
  // and flagging an int64 field's large value would reject a valid object.
  const int32 = (node.$ref ? n : node).format === 'int32';
  const fits = Number.isInteger(v) && (int32 ? v >= INT32_MIN && v <= INT32_MAX : Math.abs(v) < 2 ** 63);
  if (!fits) saveTypeError(w, ctx, `number ${String(v)}`, goType);
}

function walkArray(v: unknown, node: PropSchema, n: PropSchema, w: Walk, ctx: Context): void {
  if (!Array.isArray(v)) {
    saveTypeError(w, ctx, jsonKind(v), goTypeName(node.$ref ? n : node, w.defs));
    return;
  }
  const items = n.items;
  if (!items) return;
  for (let i = 0; i < v.length && w.fatal === undefined; i++) {
    const item: unknown = v[i];
    if (item === null) continue;
    walkValue(item, items, w, { ...ctx, path: `${ctx.path}[${i}]` }, (nv) => (v[i] = nv));
  }
}

function walkObject(v: unknown, node: PropSchema, n: PropSchema, w: Walk, ctx: Context): void {
  const isMap = n.additionalProperties !== undefined && n.properties === undefined;
  const isStruct = n.properties !== undefined;
  if (!isMap && !isStruct) return; // free-form object
  if (!isRecord(v)) {
    saveTypeError(w, ctx, jsonKind(v), goTypeName(node, w.defs));
    return;
  }
  if (isMap) return walkMap(v, n.additionalProperties!, w, ctx);
  const props = n.properties!;
  const structName = node.$ref ? node.$ref.split('.').pop()! : ctx.struct;
  for (const key of Object.keys(v)) {
    if (w.fatal !== undefined) return;
    const path = ctx.path ? `${ctx.path}.${key}` : key;
    const prop = Object.prototype.hasOwnProperty.call(props, key) ? props[key] : undefined;
    if (!prop) {
      saveUnknown(w, path);
      delete v[key];
      continue;
    }
    const x = v[key];
    if (x === null) {
      delete v[key];
      continue;
    }
    walkValue(x, prop, w, { path, fields: [...ctx.fields, key], struct: structName }, (nv) => (v[key] = nv));
  }
}

function walkMap(v: Record<string, unknown>, values: PropSchema, w: Walk, ctx: Context): void {
  for (const key of Object.keys(v)) {
    if (w.fatal !== undefined) return;
    const x = v[key];
    const path = ctx.path ? `${ctx.path}.${key}` : key;
    if (x === null) {
      const zero = zeroValue(values, w.defs);
      if (zero === undefined) delete v[key];
      else v[key] = zero;
      continue;
    }
    walkValue(x, values, w, { ...ctx, path }, (nv) => (v[key] = nv));
  }
}

/** The zero value Go stores for a null map entry (undefined: drop the entry). */
function zeroValue(node: PropSchema, defs: Definitions): unknown {
  if (node.$ref === QUANTITY) return '0';
  const n = resolve(node, defs);
  if (n?.type === 'string' && node.$ref !== INT_OR_STRING) return '';
  if (n?.type === 'integer' || n?.type === 'number') return 0;
  if (n?.type === 'boolean') return false;
  return undefined;
}

function walkQuantity(v: unknown, w: Walk, replace: ((nv: unknown) => void) | undefined): void {
  if (typeof v !== 'string' && typeof v !== 'number') {
    w.fatal = QUANTITY_FORMAT_ERROR;
    return;
  }
  try {
    const text = quantityToString(parseQuantity(typeof v === 'number' ? String(v) : v.trim()));
    if (text !== v) replace?.(text);
  } catch (err) {
    w.fatal = err instanceof QuantityParseError ? err.message : String(err);
  }
}

/** intstr.IntOrString's decoder: a string, or a number decoded as int32. */
function walkIntOrString(v: unknown, w: Walk): void {
  if (typeof v === 'string') return;
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX)
      w.fatal = `json: cannot unmarshal number ${String(v)} into Go value of type int32`;
    return;
  }
  w.fatal = `json: cannot unmarshal ${jsonKind(v)} into Go value of type int32`;
}
