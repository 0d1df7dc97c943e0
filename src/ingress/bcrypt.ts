// bcrypt ($2a$, $2b$, $2y$) checking, as htpasswd -B writes it and as nginx (through the
// system's crypt(3)) checks it: the EksBlowfish key schedule, 2^cost rounds of re-keying with
// the password and the salt, then "OrpheanBeholderScryDoubt" encrypted 64 times.
// Blowfish's initial P-array and S-boxes are the hexadecimal digits of pi's fraction; they are
// computed here once (BigInt, Machin's formula) instead of being carried as a table.
// The password is its UTF-8 bytes plus a NUL, cut to 72 bytes ($2b$'s rule; $2a$ and $2y$
// differ only for passwords of 256+ bytes). $2x$ (the old sign-extension bug) is not accepted.

const ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const P_WORDS = 18;
const S_WORDS = 1024;

let initial: Int32Array | undefined;

/** The first 18 + 1024 32-bit words of pi's fraction in hexadecimal (0x243f6a88, …). */
function piWords(): Int32Array {
  if (initial) return initial;
  const words = P_WORDS + S_WORDS;
  const guard = 64n;
  const bits = BigInt(words * 32) + guard;
  const one = 1n << bits;
  const arctanInv = (x: bigint): bigint => {
    let term = one / x;
    let sum = term;
    const x2 = x * x;
    for (let k = 1n; term !== 0n; k++) {
      term /= x2;
      sum += (k & 1n ? -term : term) / (2n * k + 1n);
    }
    return sum;
  };
  const pi = 16n * arctanInv(5n) - 4n * arctanInv(239n);
  const fraction = (pi - 3n * one) >> guard;
  const out = new Int32Array(words);
  for (let i = 0; i < words; i++) out[i] = Number((fraction >> BigInt((words - 1 - i) * 32)) & 0xffffffffn);
  initial = out;
  return out;
}

class Blowfish {
  readonly p: Int32Array;
  readonly s: Int32Array;
  private readonly block = new Int32Array(2);

  constructor() {
    const pi = piWords();
    this.p = pi.slice(0, P_WORDS);
    this.s = pi.slice(P_WORDS);
  }

  /** Encrypts lr[i], lr[i+1] in place (the hot loop: everything local, F inlined). */
  encrypt(lr: Int32Array, i: number): void {
    const p = this.p;
    const s = this.s;
    let l = lr[i];
    let r = lr[i + 1];
    for (let round = 0; round < 16; round += 2) {
      l ^= p[round];
      r ^=
        (((s[l >>> 24] + s[256 | ((l >>> 16) & 0xff)]) ^ s[512 | ((l >>> 8) & 0xff)]) + s[768 | (l & 0xff)]) ^
        p[round + 1];
      l ^= ((s[r >>> 24] + s[256 | ((r >>> 16) & 0xff)]) ^ s[512 | ((r >>> 8) & 0xff)]) + s[768 | (r & 0xff)];
    }
    lr[i] = r ^ p[17];
    lr[i + 1] = l ^ p[16];
  }

  /** Blowfish's key expansion, with the salt mixed in (EksBlowfish's ExpandKey). */
  expand(key: Uint8Array, salt?: Int32Array): void {
    let pos = 0;
    const word = (): number => {
      let w = 0;
      for (let i = 0; i < 4; i++) {
        w = (w << 8) | key[pos];
        pos = (pos + 1) % key.length;
      }
      return w;
    };
    for (let i = 0; i < P_WORDS; i++) this.p[i] ^= word();
    const lr = this.block;
    lr[0] = 0;
    lr[1] = 0;
    let saltPos = 0;
    for (const into of [this.p, this.s])
      for (let k = 0; k < into.length; k += 2) {
        if (salt) {
          lr[0] ^= salt[saltPos];
          lr[1] ^= salt[saltPos + 1];
          saltPos = (saltPos + 2) & 3;
        }
        this.encrypt(lr, 0);
        into[k] = lr[0];
        into[k + 1] = lr[1];
      }
  }
}

function decode64(s: string, bytes: number): Uint8Array | undefined {
  const out = new Uint8Array(bytes);
  let acc = 0;
  let have = 0;
  let n = 0;
  for (const ch of s) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) return undefined;
    acc = (acc << 6) | v;
    have += 6;
    if (have >= 8) {
      have -= 8;
      if (n < bytes) out[n++] = (acc >>> have) & 0xff;
    }
    acc &= (1 << have) - 1;
  }
  return n === bytes ? out : undefined;
}

function words(bytes: Uint8Array): Int32Array {
  const out = new Int32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++)
    out[i] = (bytes[4 * i] << 24) | (bytes[4 * i + 1] << 16) | (bytes[4 * i + 2] << 8) | bytes[4 * i + 3];
  return out;
}

/** The 23 bytes bcrypt derives from a password, a cost and a 16-byte salt. */
export function bcryptRaw(password: Uint8Array, cost: number, salt: Uint8Array): Uint8Array {
  const key = new Uint8Array(Math.min(password.length + 1, 72));
  key.set(password.subarray(0, key.length));
  const saltWords = words(salt);
  const bf = new Blowfish();
  bf.expand(key, saltWords);
  const saltBytes = Uint8Array.from(salt);
  for (let i = 0, rounds = 2 ** cost; i < rounds; i++) {
    bf.expand(key);
    bf.expand(saltBytes);
  }
  const text = words(new TextEncoder().encode('OrpheanBeholderScryDoubt'));
  for (let i = 0; i < 64; i++) for (let j = 0; j < 6; j += 2) bf.encrypt(text, j);
  const out = new Uint8Array(24);
  text.forEach((w, i) => {
    out[4 * i] = w >>> 24;
    out[4 * i + 1] = (w >>> 16) & 0xff;
    out[4 * i + 2] = (w >>> 8) & 0xff;
    out[4 * i + 3] = w & 0xff;
  });
  return out.subarray(0, 23);
}

const BCRYPT = /^\$2[aby]\$(\d\d)\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/;

/** Whether a string is a bcrypt hash this module can check. */
export function isBcrypt(hash: string): boolean {
  const m = BCRYPT.exec(hash);
  return !!m && Number(m[1]) >= 4 && Number(m[1]) <= 31;
}

/** Checks a password against a `$2y$10$<salt><hash>` string. */
export function bcryptVerify(password: string, hash: string): boolean {
  const m = BCRYPT.exec(hash);
  if (!m || !isBcrypt(hash)) return false;
  const salt = decode64(m[2], 16);
  const want = decode64(m[3], 23);
  if (!salt || !want) return false;
  const got = bcryptRaw(new TextEncoder().encode(password), Number(m[1]), salt);
  let diff = 0;
  for (let i = 0; i < 23; i++) diff |= got[i] ^ want[i];
  return diff === 0;
}
