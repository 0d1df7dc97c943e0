// --audit-log-path: the log plugin. Each event becomes one line, JSON (--audit-log-format=json,
// the default) or upstream's legacy text line; lines are appended in order by one writer
// (concurrent events are joined into one write). Rotation as upstream's lumberjack does it:
// --audit-log-maxsize MB, --audit-log-maxbackup files, --audit-log-maxage days, backups named
// <name>-<2006-01-02T15-04-05.000><ext>, gzipped to <backup>.gz with --audit-log-compress.
// Whether a request waits for its lines is the mode's business (./buffered.ts).
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { logger } from '../../util/log.js';
import { pluginError, type AuditBackend, type ErrorCounter } from './backend.js';
import { eventJSON, type AuditEvent } from './event.js';
import { eventString } from './format.js';

const log = logger('audit');
/** lumberjack's default when --audit-log-maxsize is 0 */
const DEFAULT_MAX_SIZE_MB = 100;

export const FORMATS = ['legacy', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export interface LogBackendOptions {
  /** A file path, or '-' for stdout. */
  path: string;
  format?: Format;
  maxAgeDays?: number;
  maxBackups?: number;
  maxSizeMB?: number;
  compress?: boolean;
  countError: ErrorCounter;
}

function backupTimestamp(d: Date): string {
  return d.toISOString().replace(/:/g, '-').replace(/Z$/, '');
}

/** Lines waiting for the writer, all answered by one promise (one per write, not per event). */
interface Pending {
  chunks: string[];
  events: number;
  done: Promise<boolean>;
  resolve: (ok: boolean) => void;
}

function pending(): Pending {
  let resolve!: (ok: boolean) => void;
  const done = new Promise<boolean>((r) => (resolve = r));
  return { chunks: [], events: 0, done, resolve };
}

export class LogBackend implements AuditBackend {
  readonly name = 'log';
  private next?: Pending;
  private writing?: Promise<void>;
  private mill?: Promise<void>;
  private file?: FileHandle;
  private size = 0;
  private regularFile = true;
  private readonly maxBytes: number;
  private readonly line: (ev: AuditEvent) => string;

  constructor(private readonly opts: LogBackendOptions) {
    this.maxBytes = (opts.maxSizeMB || DEFAULT_MAX_SIZE_MB) * 1024 * 1024;
    this.line = opts.format === 'legacy' ? eventString : eventJSON;
    if (opts.path !== '-') mkdirSync(dirname(opts.path), { recursive: true, mode: 0o700 });
  }

  /** Resolves when the lines are written (true) or lost (false, counted). */
  process(events: AuditEvent[]): Promise<boolean> {
    if (!events.length) return Promise.resolve(true);
    const p = (this.next ??= pending());
    for (const ev of events) p.chunks.push(this.line(ev) + '\n');
    p.events += events.length;
    this.kick();
    return p.done;
  }

  private kick(): void {
    if (this.writing || !this.next) return;
    this.writing = this.drain().finally(() => {
      this.writing = undefined;
      this.kick(); // lines queued between the last write and now
    });
  }

  async shutdown(): Promise<void> {
    while (this.writing) await this.writing;
    while (this.mill) await this.mill;
    await this.file?.close().catch(() => undefined);
    this.file = undefined;
  }

  private async drain(): Promise<void> {
    for (let p = this.next; p; p = this.next) {
      this.next = undefined;
      let ok = true;
      try {
        await this.write(p.chunks.join(''));
      } catch (err) {
        ok = false;
        pluginError(this.opts.countError, this.name, p.events, (err as Error).message);
        // reopen on the next write: the file may have been removed or the disk freed
        await this.file?.close().catch(() => undefined);
        this.file = undefined;
      }
      p.resolve(ok);
    }
  }

  private async write(chunk: string): Promise<void> {
    if (this.opts.path === '-') {
      await new Promise<void>((resolve, reject) =>
        process.stdout.write(chunk, (err) => (err ? reject(err) : resolve())),
      );
      return;
    }
    const bytes = Buffer.byteLength(chunk);
    if (!this.file) await this.openFile(bytes);
    else if (this.regularFile && this.size + bytes > this.maxBytes) await this.rotate();
    const { bytesWritten } = await this.file!.write(chunk);
    this.size += bytesWritten;
  }

  private async openFile(nextWrite: number): Promise<void> {
    const existing = await stat(this.opts.path).catch(() => undefined);
    this.regularFile = !existing || existing.isFile();
    if (existing && this.regularFile && existing.size + nextWrite > this.maxBytes) {
      await this.rotate();
      return;
    }
    this.file = await open(this.opts.path, 'a', 0o600);
    this.size = existing?.size ?? 0;
  }

  private async rotate(): Promise<void> {
    await this.file?.close();
    this.file = undefined;
    const { path } = this.opts;
    const ext = extname(path);
    const prefix = basename(path, ext);
    await rename(path, join(dirname(path), `${prefix}-${backupTimestamp(new Date())}${ext}`)).catch(
      (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      },
    );
    this.file = await open(path, 'a', 0o600);
    this.size = 0;
    // lumberjack's mill: prune and compress backups beside the writer, one run at a time
    const previous = this.mill ?? Promise.resolve();
    const run: Promise<void> = previous
      .then(() => this.millRunOnce(prefix, ext))
      .catch((err: Error) => log.warn('could not prune or compress old audit logs', { error: err.message }))
      .finally(() => {
        if (this.mill === run) this.mill = undefined;
      });
    this.mill = run;
  }

  private async millRunOnce(prefix: string, ext: string): Promise<void> {
    const { maxBackups = 0, maxAgeDays = 0, compress = false, path } = this.opts;
    if (!maxBackups && !maxAgeDays && !compress) return;
    const dir = dirname(path);
    const re = new RegExp(
      `^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d\\.\\d{3})${ext.replace(/\./g, '\\.')}(\\.gz)?$`,
    );
    const backups = (await readdir(dir))
      .map((f) => ({ f, m: re.exec(f) }))
      .filter((b): b is { f: string; m: RegExpExecArray } => !!b.m)
      .map(({ f, m }) => {
        const [date, time] = m[1].split('T');
        const at = Date.parse(`${date}T${time.replace(/-/g, ':').replace(/:(\d{3})$/, '.$1')}Z`);
        return { f, at, gz: !!m[2] };
      })
      .sort((a, b) => b.at - a.at);
    const cutoff = Date.now() - maxAgeDays * 24 * 3600 * 1000;
    const doomed = new Set(
      backups.filter((b, i) => (maxBackups && i >= maxBackups) || (maxAgeDays && b.at < cutoff)),
    );
    await Promise.all([...doomed].map((b) => unlink(join(dir, b.f))));
    if (!compress) return;
    for (const b of backups) {
      if (b.gz || doomed.has(b)) continue;
      const src = join(dir, b.f);
      await pipeline(createReadStream(src), createGzip(), createWriteStream(`${src}.gz`, { mode: 0o600 }));
      await unlink(src);
    }
  }
}
