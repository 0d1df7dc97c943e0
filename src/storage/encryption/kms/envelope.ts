// The KMS v2 envelope as kube-apiserver stores it (k8s.io/apiserver .../envelope/kmsv2): after
// the `k8s:enc:kms:v2:<name>:` prefix, a protobuf EncryptedObject
//   1 encryptedData (bytes), 2 keyID (string), 3 encryptedDEKSource (bytes),
//   4 annotations (map<string, bytes>), 5 encryptedDEKSourceType (enum)
// whose DEK source is a 32-byte seed the plugin encrypted (HKDF_SHA256_XNONCE_AES_GCM_SEED):
// every write derives its own AES-256-GCM key from the seed with HKDF-SHA256 and 32 random
// bytes of info, so a cached seed serves any number of writes without nonce reuse. The data is
// info(32) || nonce(12) || AES-GCM(plaintext, additional data = the storage key) || tag(16).
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export const DEK_SOURCE_AES_GCM_KEY = 0;
export const DEK_SOURCE_HKDF_SEED = 1;
const INFO_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface EncryptedObject {
  encryptedData: Uint8Array;
  keyID: string;
  encryptedDEKSource: Uint8Array;
  annotations: Record<string, Uint8Array>;
  encryptedDEKSourceType: number;
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

function field(num: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([varint((num << 3) | 2), varint(bytes.length), bytes]);
}

export function encodeEncryptedObject(o: EncryptedObject): Buffer {
  const parts = [field(1, o.encryptedData), field(2, Buffer.from(o.keyID)), field(3, o.encryptedDEKSource)];
  for (const key of Object.keys(o.annotations).sort())
    parts.push(field(4, Buffer.concat([field(1, Buffer.from(key)), field(2, o.annotations[key])])));
  if (o.encryptedDEKSourceType) parts.push(varint((5 << 3) | 0), varint(o.encryptedDEKSourceType));
  return Buffer.concat(parts);
}

/** The fields of a protobuf message: number → values (bytes for length-delimited, numbers for varints). */
function fields(buf: Uint8Array): Map<number, (Uint8Array | number)[]> {
  const out = new Map<number, (Uint8Array | number)[]>();
  let pos = 0;
  const readVarint = () => {
    let n = 0;
    let mul = 1;
    for (;;) {
      if (pos >= buf.length) throw new Error('truncated varint');
      const b = buf[pos++];
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n;
      mul *= 128;
    }
  };
  while (pos < buf.length) {
    const tag = readVarint();
    const [num, wire] = [Math.floor(tag / 8), tag & 7];
    let value: Uint8Array | number;
    if (wire === 0) value = readVarint();
    else if (wire === 2) {
      const len = readVarint();
      if (pos + len > buf.length) throw new Error('truncated field');
      value = buf.subarray(pos, pos + len);
      pos += len;
    } else throw new Error(`unexpected wire type ${wire}`);
    out.set(num, [...(out.get(num) ?? []), value]);
  }
  return out;
}

export function decodeEncryptedObject(buf: Uint8Array): EncryptedObject {
  const f = fields(buf);
  const bytes = (n: number) => {
    const v = f.get(n)?.[0];
    return v instanceof Uint8Array ? v : new Uint8Array();
  };
  const annotations: Record<string, Uint8Array> = {};
  for (const entry of f.get(4) ?? []) {
    if (!(entry instanceof Uint8Array)) continue;
    const e = fields(entry);
    const k = e.get(1)?.[0];
    const v = e.get(2)?.[0];
    if (k instanceof Uint8Array)
      annotations[Buffer.from(k).toString()] = v instanceof Uint8Array ? v : new Uint8Array();
  }
  const type = f.get(5)?.[0];
  return {
    encryptedData: bytes(1),
    keyID: Buffer.from(bytes(2)).toString(),
    encryptedDEKSource: bytes(3),
    annotations,
    encryptedDEKSourceType: typeof type === 'number' ? type : DEK_SOURCE_AES_GCM_KEY,
  };
}

function derivedKey(seed: Uint8Array, info: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', seed, Buffer.alloc(0), info, 32));
}

export function sealWithSeed(seed: Uint8Array, plain: Uint8Array, storageKey: string): Buffer {
  const info = randomBytes(INFO_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const c = createCipheriv('aes-256-gcm', derivedKey(seed, info), nonce);
  c.setAAD(Buffer.from(storageKey));
  const body = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([info, nonce, body, c.getAuthTag()]);
}

/** Opens encryptedData with the seed (HKDF) or, for the older AES_GCM_KEY type, the key itself. */
export function openWithDEKSource(
  source: Uint8Array,
  type: number,
  data: Uint8Array,
  storageKey: string,
): Buffer {
  const infoBytes = type === DEK_SOURCE_HKDF_SEED ? INFO_BYTES : 0;
  if (data.length < infoBytes + NONCE_BYTES + TAG_BYTES)
    throw new Error('the stored data was shorter than the required size');
  const key = type === DEK_SOURCE_HKDF_SEED ? derivedKey(source, data.subarray(0, INFO_BYTES)) : source;
  const nonce = data.subarray(infoBytes, infoBytes + NONCE_BYTES);
  try {
    const d = createDecipheriv(`aes-${key.length * 8}-gcm` as 'aes-256-gcm', key, nonce);
    d.setAAD(Buffer.from(storageKey));
    d.setAuthTag(data.subarray(data.length - TAG_BYTES));
    return Buffer.concat([
      d.update(data.subarray(infoBytes + NONCE_BYTES, data.length - TAG_BYTES)),
      d.final(),
    ]);
  } catch {
    throw new Error('cipher: message authentication failed');
  }
}
