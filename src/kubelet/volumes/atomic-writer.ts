// upstream's AtomicWriter (pkg/volume/util/atomic_writer.go): a volume's files live in a
// timestamped directory `..2024_01_02_15_04_05.123456789`; `..data` is a symlink to the current
// one and every top-level entry the user sees is a symlink through `..data`. An update writes a
// new timestamped directory and swaps `..data` with one rename(2), so a reader never sees a mix
// of old and new files. subPath mounts bind the file itself and so keep the old content.
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { randomInt } from 'node:crypto';
import { dirname, join } from 'node:path';

export const DATA_DIR = '..data';
const DATA_TMP = '..data_tmp';

export interface FileProjection {
  data: Buffer;
  /** Permission bits, e.g. 0o644 (defaultMode 420). */
  mode: number;
}

/** path relative to the volume → content. */
export type Payload = Map<string, FileProjection>;

/** upstream's validatePath: relative, no `..` element, not starting with `..`. */
export function validatePayloadPath(p: string): string | undefined {
  if (p === '') return 'invalid path: must not be empty';
  if (p.startsWith('/')) return `invalid path: must be relative path: ${p}`;
  if (p.split('/').includes('..')) return `invalid path: must not contain '..': ${p}`;
  if (p.startsWith('..')) return `invalid path: must not start with '..': ${p}`;
  return undefined;
}

/** `..2006_01_02_15_04_05.` + random digits, as Go's os.MkdirTemp with that pattern. */
function timestampDirName(now: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const ts = `..${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}_${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}.`;
  return ts + String(randomInt(1_000_000_000)).padStart(9, '0');
}

function currentTsDir(dir: string): string | undefined {
  try {
    return readlinkSync(join(dir, DATA_DIR));
  } catch {
    return undefined;
  }
}

/** Whether the timestamped directory already holds exactly this payload (no write needed). */
function samePayload(tsPath: string, payload: Payload): boolean {
  const files: string[] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(tsPath, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else files.push(r);
    }
  };
  try {
    walk('');
  } catch {
    return false;
  }
  if (files.length !== payload.size) return false;
  for (const f of files) {
    const want = payload.get(f);
    if (!want) return false;
    const st = statSync(join(tsPath, f));
    if ((st.mode & 0o7777) !== want.mode) return false;
    if (!readFileSync(join(tsPath, f)).equals(want.data)) return false;
  }
  return true;
}

/**
 * Makes `dir` show exactly `payload`; returns whether anything changed. Throws on an invalid
 * path (nothing written then).
 */
export function writeAtomic(dir: string, payload: Payload, now = new Date()): boolean {
  for (const p of payload.keys()) {
    const bad = validatePayloadPath(p);
    if (bad) throw new Error(bad);
  }
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const oldTs = currentTsDir(dir);
  if (oldTs && samePayload(join(dir, oldTs), payload)) return false;

  const tsName = timestampDirName(now);
  const tsPath = join(dir, tsName);
  mkdirSync(tsPath, { mode: 0o755 });
  chmodSync(tsPath, 0o755);
  for (const [p, f] of payload) {
    const file = join(tsPath, p);
    mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
    writeFileSync(file, f.data, { mode: f.mode });
    chmodSync(file, f.mode);
  }
  // swap ..data in one rename
  rmSync(join(dir, DATA_TMP), { force: true });
  symlinkSync(tsName, join(dir, DATA_TMP));
  renameSync(join(dir, DATA_TMP), join(dir, DATA_DIR));

  const visible = new Set([...payload.keys()].map((p) => p.split('/')[0]));
  for (const top of visible) {
    const link = join(dir, top);
    let exists = false;
    try {
      lstatSync(link);
      exists = true;
    } catch {
      exists = false;
    }
    if (!exists) symlinkSync(join(DATA_DIR, top), link);
  }
  for (const e of readdirSync(dir)) {
    if (e.startsWith('..') || visible.has(e)) continue;
    rmSync(join(dir, e), { recursive: true, force: true });
  }
  if (oldTs && oldTs !== tsName && existsSync(join(dir, oldTs)))
    rmSync(join(dir, oldTs), { recursive: true, force: true });
  return true;
}
