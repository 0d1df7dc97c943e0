// NaCl secretbox (XSalsa20-Poly1305), byte-compatible with golang.org/x/crypto/nacl/secretbox,
// which upstream's `secretbox` provider uses: sealed = tag(16) || ciphertext.
import { timingSafeEqual } from 'node:crypto';
import { poly1305 } from './poly1305.js';
import { xsalsa20Xor } from './salsa20.js';

export const SECRETBOX_NONCE_BYTES = 24;
export const SECRETBOX_OVERHEAD = 16;

/** The first 32 keystream bytes key Poly1305; the message is XORed with the stream from byte 32. */
function stream(
  key: Uint8Array,
  nonce: Uint8Array,
  text: Uint8Array,
): { polyKey: Uint8Array; out: Uint8Array } {
  const padded = new Uint8Array(32 + text.length);
  padded.set(text, 32);
  const x = xsalsa20Xor(key, nonce, padded);
  return { polyKey: x.subarray(0, 32), out: x.subarray(32) };
}

export function secretboxSeal(message: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array {
  const { polyKey, out } = stream(key, nonce, message);
  const sealed = new Uint8Array(SECRETBOX_OVERHEAD + out.length);
  sealed.set(poly1305(polyKey, out), 0);
  sealed.set(out, SECRETBOX_OVERHEAD);
  return sealed;
}

/** The message, or undefined when the box does not authenticate under key and nonce. */
export function secretboxOpen(
  sealed: Uint8Array,
  nonce: Uint8Array,
  key: Uint8Array,
): Uint8Array | undefined {
  if (sealed.length < SECRETBOX_OVERHEAD) return undefined;
  const tag = sealed.subarray(0, SECRETBOX_OVERHEAD);
  const ciphertext = sealed.subarray(SECRETBOX_OVERHEAD);
  const { polyKey, out } = stream(key, nonce, ciphertext);
  if (!timingSafeEqual(poly1305(polyKey, ciphertext), tag)) return undefined;
  return out;
}
