// --audit-log-path: events as JSON lines, written asynchronously from a bounded queue so that a
// slow or full disk never holds a request up; rotation as upstream's lumberjack does it
// (--audit-log-maxsize MB, --audit-log-maxbackup files, --audit-log-maxage days; backups named
// <name>-<2006-01-02T15-04-05.000><ext>).
import { open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { logger } from '../../util/log.js';
import type { AuditBackend, ErrorCounter } from './backend.js';
import { eventJSON, type AuditEvent } from './event.js';

const log = logger('audit');
/** lumberjack's default when --audit-log-maxsize is 0 */
const DEFAULT_MAX_SIZE_MB = 100;
/** events held in memory while the disk is slow; beyond this they are dropped and counted */
export const DEFAULT_BUFFER_EVENTS = 10_000;
const ERROR_LOG_INTERVAL_MS = 10_000;

export interface LogBackendOptions {
  /** A file path, or '-' for stdout. */
  path: string;
  maxAgeDays?: number;
  maxBackups?: number;
  maxSizeMB?: number;
  bufferEvents?: number;
  countError: ErrorCounter;
}

function backupTimestamp(d: Date): string {
  return d.toISOString().replace(/:/g, '-').replace(/Z$/, '');
}

export class LogBackend implements AuditBackend {
  readonly name = 'log';
  private queue: string[] = [];
  private writing?: Promise<void>;
  private file?: FileHandle;
  private size = 0;
  private regularFile = true;
  private lastErrorLog = 0;
  private readonly maxBytes: number;
  private readonly bufferEvents: number;

  constructor(private readonly opts: LogBackendOptions) {
    this.maxBytes = (opts.maxSizeMB || DEFAULT_MAX_SIZE_MB) * 1024 * 1024;
    this.bufferEvents = opts.bufferEvents ?? DEFAULT_BUFFER_EVENTS;
    if (opts.path !== '-') mkdirSync(dirname(opts.path), { recursive: true });
  }

  process(events: AuditEvent[]): void {
    const room = this.bufferEvents - this.queue.length;
    if (room < events.length) {
      this.fail(events.length - Math.max(room, 0), 'audit log buffer is full');
      events = events.slice(0, Math.max(room, 0));
    }
    for (const ev of events) this.queue.push(eventJSON(ev) + '\n');
    if (!this.writing && this.queue.length)
      this.writing = this.drain().finally(() => (this.writing = undefined));
  }

  async shutdown(): Promise<void> {
    while (this.writing) await this.writing;
    await this.file?.close().catch(() => undefined);
    this.file = undefined;
  }

  private fail(events: number, why: string): void {
    this.opts.countError(this.name, events);
    const now = Date.now();
    if (now - this.lastErrorLog >= ERROR_LOG_INTERVAL_MS) {
      this.lastErrorLog = now;
      log.error('audit events lost', { plugin: this.name, events, path: this.opts.path, error: why });
    }
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const lines = this.queue;
      this.queue = [];
      const chunk = lines.join('');
      try {
        await this.write(chunk);
      } catch (err) {
        this.fail(lines.length, (err as Error).message);
        // reopen on the next write: the file may have been removed or the disk freed
        await this.file?.close().catch(() => undefined);
        this.file = undefined;
      }
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
    await this.removeOldBackups(prefix, ext).catch((err: Error) =>
      log.warn('could not remove old audit logs', { error: err.message }),
    );
  }

  private async removeOldBackups(prefix: string, ext: string): Promise<void> {
    const { maxBackups = 0, maxAgeDays = 0, path } = this.opts;
    if (!maxBackups && !maxAgeDays) return;
    const dir = dirname(path);
    const re = new RegExp(
      `^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d\\.\\d{3})${ext.replace(/\./g, '\\.')}$`,
    );
    const backups = (await readdir(dir))
      .map((f) => ({ f, m: re.exec(f) }))
      .filter((b): b is { f: string; m: RegExpExecArray } => !!b.m)
      .map(({ f, m }) => {
        const [date, time] = m[1].split('T');
        return { f, at: Date.parse(`${date}T${time.replace(/-/g, ':').replace(/:(\d{3})$/, '.$1')}Z`) };
      })
      .sort((a, b) => b.at - a.at);
    const cutoff = Date.now() - maxAgeDays * 24 * 3600 * 1000;
    const doomed = backups.filter((b, i) => (maxBackups && i >= maxBackups) || (maxAgeDays && b.at < cutoff));
    await Promise.all(doomed.map((b) => unlink(join(dir, b.f))));
  }
}
