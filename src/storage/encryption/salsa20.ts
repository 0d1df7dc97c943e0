// Salsa20/20, HSalsa20 and XSalsa20 (D. J. Bernstein, "Extending the Salsa20 nonce"), the stream
// cipher of NaCl's secretbox. Node's crypto has no Salsa20, and upstream's `secretbox` provider
// needs it, so it lives here; test/unit/encryption/ checks it against NaCl's published vectors.

// "expand 32-byte k" as four little-endian words
const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];

function rotl(v: number, n: number): number {
  return (v << n) | (v >>> (32 - n));
}

function readWords(bytes: Uint8Array, offset: number, count: number, into: Uint32Array, at: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) into[at + i] = view.getUint32(offset + 4 * i, true);
}

/** The 16-word input of the core: constants, key, and 4 words of nonce/counter at 6..9. */
function initialState(key: Uint8Array, input16: Uint8Array): Uint32Array {
  const s = new Uint32Array(16);
  s[0] = SIGMA[0];
  s[5] = SIGMA[1];
  s[10] = SIGMA[2];
  s[15] = SIGMA[3];
  readWords(key, 0, 4, s, 1);
  readWords(key, 16, 4, s, 11);
  readWords(input16, 0, 4, s, 6);
  return s;
}

/** 20 rounds (10 double rounds) in place. */
function rounds(x: Uint32Array): void {
  for (let i = 0; i < 10; i++) {
    // column round
    x[4] ^= rotl((x[0] + x[12]) | 0, 7);
    x[8] ^= rotl((x[4] + x[0]) | 0, 9);
    x[12] ^= rotl((x[8] + x[4]) | 0, 13);
    x[0] ^= rotl((x[12] + x[8]) | 0, 18);
    x[9] ^= rotl((x[5] + x[1]) | 0, 7);
    x[13] ^= rotl((x[9] + x[5]) | 0, 9);
    x[1] ^= rotl((x[13] + x[9]) | 0, 13);
    x[5] ^= rotl((x[1] + x[13]) | 0, 18);
    x[14] ^= rotl((x[10] + x[6]) | 0, 7);
    x[2] ^= rotl((x[14] + x[10]) | 0, 9);
    x[6] ^= rotl((x[2] + x[14]) | 0, 13);
    x[10] ^= rotl((x[6] + x[2]) | 0, 18);
    x[3] ^= rotl((x[15] + x[11]) | 0, 7);
    x[7] ^= rotl((x[3] + x[15]) | 0, 9);
    x[11] ^= rotl((x[7] + x[3]) | 0, 13);
    x[15] ^= rotl((x[11] + x[7]) | 0, 18);
    // row round
    x[1] ^= rotl((x[0] + x[3]) | 0, 7);
    x[2] ^= rotl((x[1] + x[0]) | 0, 9);
    x[3] ^= rotl((x[2] + x[1]) | 0, 13);
    x[0] ^= rotl((x[3] + x[2]) | 0, 18);
    x[6] ^= rotl((x[5] + x[4]) | 0, 7);
    x[7] ^= rotl((x[6] + x[5]) | 0, 9);
    x[4] ^= rotl((x[7] + x[6]) | 0, 13);
    x[5] ^= rotl((x[4] + x[7]) | 0, 18);
    x[11] ^= rotl((x[10] + x[9]) | 0, 7);
    x[8] ^= rotl((x[11] + x[10]) | 0, 9);
    x[9] ^= rotl((x[8] + x[11]) | 0, 13);
    x[10] ^= rotl((x[9] + x[8]) | 0, 18);
    x[12] ^= rotl((x[15] + x[14]) | 0, 7);
    x[13] ^= rotl((x[12] + x[15]) | 0, 9);
    x[14] ^= rotl((x[13] + x[12]) | 0, 13);
    x[15] ^= rotl((x[14] + x[13]) | 0, 18);
  }
}

/** HSalsa20: a 32-byte subkey from a 32-byte key and a 16-byte input. */
export function hsalsa20(key: Uint8Array, input16: Uint8Array): Uint8Array {
  const x = initialState(key, input16);
  rounds(x);
  const out = new Uint8Array(32);
  const view = new DataView(out.buffer);
  [0, 5, 10, 15, 6, 7, 8, 9].forEach((w, i) => view.setUint32(4 * i, x[w], true));
  return out;
}

/** XORs data with the Salsa20 keystream of (key, 8-byte nonce), starting at block 0. */
export function salsa20Xor(key: Uint8Array, nonce8: Uint8Array, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  const input = new Uint8Array(16);
  input.set(nonce8, 0);
  const block = new Uint8Array(64);
  const blockView = new DataView(block.buffer);
  const x = new Uint32Array(16);
  let counter = 0;
  for (let pos = 0; pos < data.length; pos += 64, counter++) {
    // 64-bit little-endian block counter in input[8..16]
    const counterView = new DataView(input.buffer);
    counterView.setUint32(8, counter >>> 0, true);
    counterView.setUint32(12, Math.floor(counter / 2 ** 32), true);
    const s = initialState(key, input);
    x.set(s);
    rounds(x);
    for (let i = 0; i < 16; i++) blockView.setUint32(4 * i, (x[i] + s[i]) >>> 0, true);
    const n = Math.min(64, data.length - pos);
    for (let i = 0; i < n; i++) out[pos + i] = data[pos + i] ^ block[i];
  }
  return out;
}

/** XSalsa20: Salsa20 keyed with HSalsa20(key, nonce[0..16]) and nonce[16..24]. */
export function xsalsa20Xor(key: Uint8Array, nonce24: Uint8Array, data: Uint8Array): Uint8Array {
  if (key.length !== 32) throw new Error('xsalsa20: key must be 32 bytes');
  if (nonce24.length !== 24) throw new Error('xsalsa20: nonce must be 24 bytes');
  return salsa20Xor(hsalsa20(key, nonce24.subarray(0, 16)), nonce24.subarray(16, 24), data);
}
