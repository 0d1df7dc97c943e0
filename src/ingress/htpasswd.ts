// htpasswd files as nginx's auth_basic_user_file reads them: one `user:password[:comment]` per
// line, `#` comments, the first line of a user decides. The password formats nginx checks
// (its own and those of the ingress-nginx image's crypt(3)):
//   $apr1$ and $1$ (MD5-crypt), {SHA} and {SSHA}, {PLAIN}, $2a$/$2b$/$2y$ (bcrypt),
//   $5$ and $6$ (SHA-crypt).
// Traditional DES crypt (13 characters, `htpasswd -d`) is not supported: such a line never
// matches. Checking is synchronous; results are cached (keyed by a SHA-256 of the line and the
// password, never the password itself) so a bcrypt line costs its rounds once, not per request.
import { createHash, timingSafeEqual } from 'node:crypto';
import { bcryptVerify, isBcrypt } from './bcrypt.js';

const CRYPT64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** crypt(3)'s base-64: n characters of a 24-bit group, least significant six bits first. */
function to64(v: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++, v >>>= 6) s += CRYPT64[v & 0x3f];
  return s;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** MD5-crypt with its magic ('$1$' or Apache's '$apr1$'); the salt is up to 8 characters. */
export function md5Crypt(password: string, magic: string, salt: string): string {
  const pw = Buffer.from(password);
  const s = Buffer.from(salt.slice(0, 8));
  const md5 = (...parts: Buffer[]) => {
    const h = createHash('md5');
    for (const p of parts) h.update(p);
    return h.digest();
  };
  let final = md5(pw, s, pw);
  const parts: Buffer[] = [pw, Buffer.from(magic), s];
  for (let left = pw.length; left > 0; left -= 16) parts.push(final.subarray(0, Math.min(left, 16)));
  for (let i = pw.length; i; i >>>= 1) parts.push(i & 1 ? Buffer.from([0]) : pw.subarray(0, 1));
  final = md5(...parts);
  for (let i = 0; i < 1000; i++) {
    const round: Buffer[] = [i & 1 ? pw : final];
    if (i % 3) round.push(s);
    if (i % 7) round.push(pw);
    round.push(i & 1 ? final : pw);
    final = md5(...round);
  }
  const f = final;
  let out = '';
  for (const [a, b, c] of [
    [0, 6, 12],
    [1, 7, 13],
    [2, 8, 14],
    [3, 9, 15],
    [4, 10, 5],
  ])
    out += to64((f[a] << 16) | (f[b] << 8) | f[c], 4);
  out += to64(f[11], 2);
  return `${magic}${s.toString()}$${out}`;
}

/** SHA-crypt ($5$ SHA-256, $6$ SHA-512) of Ulrich Drepper's specification. */
export function shaCrypt(password: string, setting: string): string | undefined {
  const m = /^\$([56])\$(?:rounds=(\d+)\$)?([^$]{0,16})[^$]*(?:\$.*)?$/.exec(setting);
  if (!m) return undefined;
  const algo = m[1] === '5' ? 'sha256' : 'sha512';
  const size = algo === 'sha256' ? 32 : 64;
  const rounds = m[2] === undefined ? 5000 : Math.min(Math.max(Number(m[2]), 1000), 999_999_999);
  const salt = Buffer.from(m[3]);
  const pw = Buffer.from(password);
  const hash = (...parts: Buffer[]) => {
    const h = createHash(algo);
    for (const p of parts) h.update(p);
    return h.digest();
  };
  const repeat = (b: Buffer, n: number) => {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = b[i % b.length];
    return out;
  };
  const b = hash(pw, salt, pw);
  const aParts = [pw, salt, repeat(b, pw.length)];
  for (let i = pw.length; i > 0; i >>>= 1) aParts.push(i & 1 ? b : pw);
  const a = hash(...aParts);
  const p = repeat(hash(...Array<Buffer>(pw.length).fill(pw)), pw.length);
  const s = repeat(hash(...Array<Buffer>(16 + a[0]).fill(salt)), salt.length);
  let c = a;
  for (let i = 0; i < rounds; i++) {
    const parts: Buffer[] = [i & 1 ? p : c];
    if (i % 3) parts.push(s);
    if (i % 7) parts.push(p);
    parts.push(i & 1 ? c : p);
    c = hash(...parts);
  }
  let out = '';
  if (size === 32) {
    for (let k = 0; k < 10; k++) {
      const [x, y, z] = [(k * 21) % 30, (k * 21 + 10) % 30, (k * 21 + 20) % 30];
      out += to64((c[x] << 16) | (c[y] << 8) | c[z], 4);
    }
    out += to64((c[31] << 8) | c[30], 3);
  } else {
    for (let k = 0; k < 21; k++) {
      const t = [k, k + 21, k + 42];
      const r = k % 3;
      out += to64((c[t[r]] << 16) | (c[t[(r + 1) % 3]] << 8) | c[t[(r + 2) % 3]], 4);
    }
    out += to64(c[63], 2);
  }
  const roundsPart = m[2] === undefined ? '' : `rounds=${rounds}$`;
  return `$${m[1]}$${roundsPart}${salt.toString()}$${out}`;
}

/** Whether a password matches one htpasswd password field (false for formats not supported). */
export function verifyPassword(password: string, stored: string): boolean {
  if (stored.startsWith('$apr1$') || stored.startsWith('$1$')) {
    const magic = stored.startsWith('$1$') ? '$1$' : '$apr1$';
    const salt = stored.slice(magic.length).split('$')[0];
    return sameText(md5Crypt(password, magic, salt), stored);
  }
  if (stored.startsWith('$5$') || stored.startsWith('$6$')) {
    const got = shaCrypt(password, stored);
    return got !== undefined && sameText(got, stored);
  }
  if (stored.startsWith('$2')) return isBcrypt(stored) && bcryptVerify(password, stored);
  if (stored.startsWith('{SHA}'))
    return sameText(createHash('sha1').update(password).digest('base64'), stored.slice(5));
  if (stored.startsWith('{SSHA}')) {
    const raw = Buffer.from(stored.slice(6), 'base64');
    if (raw.length <= 20) return false;
    const salt = raw.subarray(20);
    const got = createHash('sha1').update(password).update(salt).digest();
    return timingSafeEqual(got, raw.subarray(0, 20));
  }
  if (stored.startsWith('{PLAIN}')) return sameText(password, stored.slice(7));
  return false;
}

/** Why a password field cannot ever match, for the controller's Warning; undefined if it can. */
export function unsupportedFormat(stored: string): string | undefined {
  if (/^\$(apr1|1|5|6)\$/.test(stored) || isBcrypt(stored) || /^\{(SHA|SSHA|PLAIN)\}/.test(stored))
    return undefined;
  if (/^\$2x\$/.test(stored)) return 'bcrypt $2x$ is not supported';
  if (/^[./0-9A-Za-z]{13}$/.test(stored)) return 'DES crypt is not supported';
  return 'unknown password hash format';
}

/** The users of an htpasswd text: user → password field of its first line. */
export function parseHtpasswd(text: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const line of text.split(/\r?\n|\r/)) {
    if (!line || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const user = line.slice(0, colon);
    const rest = line.slice(colon + 1);
    const end = rest.indexOf(':');
    if (!users.has(user)) users.set(user, end < 0 ? rest : rest.slice(0, end));
  }
  return users;
}

const CACHE_SIZE = 1024;

/** The users of one auth Secret, with the results of recent checks. */
export class PasswordFile {
  private readonly cache = new Map<string, boolean>();

  constructor(readonly users: Map<string, string>) {}

  /** Whether user and password match a line; unknown users and unsupported formats do not. */
  check(user: string, password: string): boolean {
    const stored = this.users.get(user);
    if (stored === undefined) return false;
    const key = createHash('sha256').update(stored).update('\0').update(password).digest('base64');
    let ok = this.cache.get(key);
    if (ok === undefined) {
      ok = verifyPassword(password, stored);
      if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, ok);
    }
    return ok;
  }
}

/** user and password of an `Authorization: Basic …` header, undefined when there is none. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
