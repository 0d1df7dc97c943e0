// /openapi/v2 as protobuf: client-go asks for it with Accept
// `application/com.github.proto-openapi.spec.v2@v1.0+protobuf` and decodes gnostic's
// openapi.v2.Document (google/gnostic-models openapiv2/OpenAPIv2.proto). This encodes the
// subset of that message family our swagger documents use; field numbers are from that file.
// Vendor extensions, defaults and enum values travel as Any{yaml}, which readers parse as YAML;
// JSON text is valid YAML, so we put JSON there.

/**
 * The Content-Type to answer with. Upstream answers with a '.' where clients ask with '@',
 * because '@' is not a token character and Go's mime.ParseMediaType (in client-go) rejects it.
 */
export const OPENAPI_V2_PROTOBUF_CONTENT_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const PROTOBUF_SUBTYPES = [
  'com.github.proto-openapi.spec.v2@v1.0+protobuf',
  'com.github.proto-openapi.spec.v2.v1.0+protobuf',
];

/**
 * Whether an Accept header for /openapi/v2 prefers protobuf: the first range (in order) that
 * names JSON, a wildcard or the protobuf type decides; ranges with q=0 are skipped.
 */
export function prefersOpenAPIV2Protobuf(accept: string | undefined): boolean {
  for (const range of (accept ?? '').split(',')) {
    const [type, ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    if (params.some((p) => /^q=0(\.0*)?$/.test(p))) continue;
    if (type === 'application/json' || type === '*/*' || type === 'application/*') return false;
    if (PROTOBUF_SUBTYPES.some((sub) => type === `application/${sub}`)) return true;
  }
  return false;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

// ---- wire format ----

const encoder = new TextEncoder();

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** A message under construction: appended fields, concatenated once at the end. */
class Message {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  private push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.size += bytes.length;
  }
  /** Length-delimited field (wire type 2): strings, bytes and nested messages. */
  bytes(field: number, data: Uint8Array): this {
    this.push(Uint8Array.from([...varint((field << 3) | 2), ...varint(data.length)]));
    this.push(data);
    return this;
  }
  string(field: number, value: string | undefined): this {
    return value ? this.bytes(field, encoder.encode(value)) : this;
  }
  strings(field: number, values: string[] | undefined): this {
    for (const v of values ?? []) this.bytes(field, encoder.encode(v));
    return this;
  }
  bool(field: number, value: boolean | undefined): this {
    if (value) this.push(Uint8Array.from([...varint(field << 3), 1]));
    return this;
  }
  int64(field: number, value: number | undefined): this {
    if (value && value > 0) this.push(Uint8Array.from([...varint(field << 3), ...varint(value)]));
    return this;
  }
  double(field: number, value: number | undefined): this {
    if (value === undefined || value === 0) return this;
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, value, true);
    this.push(Uint8Array.from(varint((field << 3) | 1)));
    this.push(b);
    return this;
  }
  message(field: number, m: Message | undefined): this {
    return m ? this.bytes(field, m.finish()) : this;
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

// ---- openapi.v2 messages ----

const isObject = (v: Json | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: Json | undefined) => (typeof v === 'string' ? v : undefined);
const num = (v: Json | undefined) => (typeof v === 'number' ? v : undefined);
const strs = (v: Json | undefined) =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** Any{yaml = 2}. */
const anyYaml = (value: Json) => new Message().string(2, JSON.stringify(value));

/** repeated NamedAny vendor_extension: every x- key, in document order. */
function vendorExtensions(m: Message, field: number, o: JsonObject): void {
  for (const [k, v] of Object.entries(o)) {
    if (k.startsWith('x-')) m.message(field, new Message().string(1, k).message(2, anyYaml(v)));
  }
}

function schema(o: JsonObject): Message {
  const m = new Message()
    .string(1, str(o.$ref))
    .string(2, str(o.format))
    .string(3, str(o.title))
    .string(4, str(o.description));
  if (o.default !== undefined) m.message(5, anyYaml(o.default));
  m.double(6, num(o.multipleOf))
    .double(7, num(o.maximum))
    .bool(8, o.exclusiveMaximum === true)
    .double(9, num(o.minimum))
    .bool(10, o.exclusiveMinimum === true)
    .int64(11, num(o.maxLength))
    .int64(12, num(o.minLength))
    .string(13, str(o.pattern))
    .int64(14, num(o.maxItems))
    .int64(15, num(o.minItems))
    .bool(16, o.uniqueItems === true)
    .strings(19, strs(o.required));
  if (Array.isArray(o.enum)) for (const e of o.enum) m.message(20, anyYaml(e));
  if (isObject(o.additionalProperties))
    m.message(21, new Message().message(1, schema(o.additionalProperties)));
  else if (typeof o.additionalProperties === 'boolean')
    m.message(21, new Message().bool(2, o.additionalProperties));
  if (typeof o.type === 'string') m.message(22, new Message().strings(1, [o.type]));
  if (isObject(o.items)) m.message(23, new Message().message(1, schema(o.items)));
  if (Array.isArray(o.allOf)) for (const s of o.allOf) if (isObject(s)) m.message(24, schema(s));
  if (isObject(o.properties)) {
    const props = new Message();
    for (const [name, p] of Object.entries(o.properties))
      if (isObject(p)) props.message(1, new Message().string(1, name).message(2, schema(p)));
    m.message(25, props);
  }
  vendorExtensions(m, 31, o);
  return m;
}

/** A query or path parameter's sub-schema; the two messages differ only in field numbers. */
function nonBodyParameter(p: JsonObject): Message {
  const inQuery = p.in === 'query';
  const sub = new Message()
    .bool(1, p.required === true)
    .string(2, str(p.in))
    .string(3, str(p.description))
    .string(4, str(p.name))
    .string(inQuery ? 6 : 5, str(p.type))
    .string(inQuery ? 7 : 6, str(p.format))
    .bool(inQuery ? 20 : 19, p.uniqueItems === true);
  vendorExtensions(sub, inQuery ? 23 : 22, p);
  // NonBodyParameter oneof: query_parameter_sub_schema = 3, path_parameter_sub_schema = 4
  return new Message().message(inQuery ? 3 : 4, sub);
}

/** ParametersItem{parameter = 1: Parameter{body_parameter = 1 | non_body_parameter = 2}}. */
function parametersItem(p: JsonObject): Message {
  const parameter = new Message();
  if (p.in === 'body') {
    const body = new Message()
      .string(1, str(p.description))
      .string(2, str(p.name))
      .string(3, 'body')
      .bool(4, p.required === true);
    if (isObject(p.schema)) body.message(5, schema(p.schema));
    vendorExtensions(body, 6, p);
    parameter.message(1, body);
  } else {
    parameter.message(2, nonBodyParameter(p));
  }
  return new Message().message(1, parameter);
}

function operation(o: JsonObject): Message {
  const m = new Message()
    .strings(1, strs(o.tags))
    .string(2, str(o.summary))
    .string(3, str(o.description))
    .string(5, str(o.operationId))
    .strings(6, strs(o.produces))
    .strings(7, strs(o.consumes));
  if (Array.isArray(o.parameters))
    for (const p of o.parameters) if (isObject(p)) m.message(8, parametersItem(p));
  if (isObject(o.responses)) {
    const responses = new Message();
    for (const [code, r] of Object.entries(o.responses)) {
      if (!isObject(r)) continue;
      const response = new Message().string(1, str(r.description));
      // SchemaItem{schema = 1}
      if (isObject(r.schema)) response.message(2, new Message().message(1, schema(r.schema)));
      // NamedResponseValue{name, value: ResponseValue{response = 1}}
      responses.message(1, new Message().string(1, code).message(2, new Message().message(1, response)));
    }
    m.message(9, responses);
  }
  m.strings(10, strs(o.schemes)).bool(11, o.deprecated === true);
  vendorExtensions(m, 13, o);
  return m;
}

const PATH_ITEM_OPERATIONS: [string, number][] = [
  ['get', 2],
  ['put', 3],
  ['post', 4],
  ['delete', 5],
  ['options', 6],
  ['head', 7],
  ['patch', 8],
];

function pathItem(o: JsonObject): Message {
  const m = new Message().string(1, str(o.$ref));
  for (const [method, field] of PATH_ITEM_OPERATIONS)
    if (isObject(o[method])) m.message(field, operation(o[method]));
  if (Array.isArray(o.parameters))
    for (const p of o.parameters) if (isObject(p)) m.message(9, parametersItem(p));
  vendorExtensions(m, 10, o);
  return m;
}

/** Encodes a swagger 2.0 document (as buildOpenAPIV2 returns it) as gnostic's openapi.v2.Document. */
export function encodeOpenAPIV2Protobuf(doc: object): Uint8Array {
  const d = doc as JsonObject;
  const m = new Message().string(1, str(d.swagger));
  if (isObject(d.info)) {
    const info = new Message()
      .string(1, str(d.info.title))
      .string(2, str(d.info.version))
      .string(3, str(d.info.description));
    m.message(2, info);
  }
  m.string(3, str(d.host)).string(4, str(d.basePath)).strings(5, strs(d.schemes));
  m.strings(6, strs(d.consumes)).strings(7, strs(d.produces));
  if (isObject(d.paths)) {
    const paths = new Message();
    for (const [path, item] of Object.entries(d.paths))
      if (isObject(item)) paths.message(2, new Message().string(1, path).message(2, pathItem(item)));
    m.message(8, paths);
  }
  if (isObject(d.definitions)) {
    const defs = new Message();
    for (const [name, s] of Object.entries(d.definitions))
      if (isObject(s)) defs.message(1, new Message().string(1, name).message(2, schema(s)));
    m.message(9, defs);
  }
  vendorExtensions(m, 16, d);
  return m.finish();
}
