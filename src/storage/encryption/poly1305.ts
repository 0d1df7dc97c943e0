// Poly1305 one-time authenticator (RFC 8439 §2.5), on BigInt: values stored in a datastore are
// small (a Secret is at most 1 MiB), so clarity wins over a limb implementation here.

const P = (1n << 130n) - 5n;
const CLAMP = 0x0ffffffc0ffffffc0ffffffc0fffffffn;
const MASK128 = (1n << 128n) - 1n;

function leToBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  return v;
}

/** The 16-byte tag of message under a 32-byte one-time key (r || s). */
export function poly1305(key: Uint8Array, message: Uint8Array): Uint8Array {
  if (key.length !== 32) throw new Error('poly1305: key must be 32 bytes');
  const r = leToBigInt(key.subarray(0, 16)) & CLAMP;
  const s = leToBigInt(key.subarray(16, 32));
  let h = 0n;
  for (let pos = 0; pos < message.length; pos += 16) {
    const chunk = message.subarray(pos, Math.min(pos + 16, message.length));
    // each block gets a 1 bit appended above its last byte
    const n = leToBigInt(chunk) | (1n << BigInt(8 * chunk.length));
    h = ((h + n) * r) % P;
  }
  let tag = (h + s) & MASK128;
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    out[i] = Number(tag & 0xffn);
    tag >>= 8n;
  }
  return out;
}
