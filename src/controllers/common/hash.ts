// The pod-template hash of Deployments and DaemonSets (controller.ComputeHash): FNV-32a over the
// go-spew rendering of the v1.PodTemplateSpec, then the collision count as 8 little-endian bytes,
// printed in decimal and mapped through rand.SafeEncodeString. Names like
// `nginx-deployment-7c5ddbdf54` come from it, so it follows upstream byte for byte for every
// template shape go-types.ts models; any other shape still gets a stable hash (of its JSON) and
// the difference is logged.
import { podTemplateSpec } from './go-types.js';
import { spew, UnsupportedForHash } from './spew.js';
import { logger } from '../../util/log.js';

const log = logger('pod-template-hash');
/** rand.SafeEncodeString's alphabet: no vowels, no confusable 0/1/3 */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function fnv32a(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of Buffer.from(s)) out += SAFE_ALPHABET[ch % SAFE_ALPHABET.length];
  return out;
}

/** The text upstream hashes for this template. Throws UnsupportedForHash for unmodelled shapes. */
export function templateHashInput(template: unknown): string {
  return spew(podTemplateSpec, template);
}

export function computeHash(template: unknown, collisionCount?: number): string {
  let text: string;
  try {
    text = templateHashInput(template);
  } catch (err) {
    if (!(err instanceof UnsupportedForHash)) throw err;
    log.debug('template shape not modelled; hashing its JSON instead', { reason: err.message });
    text = JSON.stringify(sortKeys(template));
  }
  let h = fnv32a(Buffer.from(text));
  if (collisionCount !== undefined) {
    const extra = Buffer.alloc(8);
    extra.writeUInt32LE(collisionCount >>> 0, 0);
    h = fnv32a(extra, h);
  }
  return safeEncodeString(String(h));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}
