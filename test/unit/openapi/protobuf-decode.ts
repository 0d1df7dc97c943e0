// A minimal protobuf reader for tests: a message as field number → raw values (numbers for
// varints, byte arrays for length-delimited fields), so tests can walk encoded documents.

export type Fields = Map<number, (number | Uint8Array)[]>;

export function decodeMessage(buf: Uint8Array): Fields {
  const fields: Fields = new Map();
  let pos = 0;
  const readVarint = () => {
    let result = 0;
    let shift = 1;
    for (;;) {
      const b = buf[pos++];
      result += (b & 0x7f) * shift;
      if (b < 0x80) return result;
      shift *= 128;
    }
  };
  while (pos < buf.length) {
    const key = readVarint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    let value: number | Uint8Array;
    if (wire === 0) value = readVarint();
    else if (wire === 2) {
      const len = readVarint();
      value = buf.subarray(pos, pos + len);
      pos += len;
    } else if (wire === 1) {
      value = new DataView(buf.buffer, buf.byteOffset + pos, 8).getFloat64(0, true);
      pos += 8;
    } else throw new Error(`unexpected wire type ${wire}`);
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

const decoder = new TextDecoder();

export function text(f: Fields, field: number): string | undefined {
  const v = f.get(field)?.[0];
  return v instanceof Uint8Array ? decoder.decode(v) : undefined;
}

export function texts(f: Fields, field: number): string[] {
  return (f.get(field) ?? []).map((v) => (v instanceof Uint8Array ? decoder.decode(v) : String(v)));
}

export function sub(f: Fields, field: number): Fields {
  const v = f.get(field)?.[0];
  if (!(v instanceof Uint8Array)) throw new Error(`field ${field} is not a message`);
  return decodeMessage(v);
}

export function subs(f: Fields, field: number): Fields[] {
  return (f.get(field) ?? []).map((v) => {
    if (!(v instanceof Uint8Array)) throw new Error(`field ${field} is not a message`);
    return decodeMessage(v);
  });
}

/** Entries of a repeated Named* message (name = 1, value = 2) as a map of name → value message. */
export function named(f: Fields, field: number): Map<string, Fields> {
  return new Map(subs(f, field).map((entry) => [text(entry, 1) ?? '', sub(entry, 2)]));
}
