// Container logs from CRI log files (what containerd writes for each container attempt):
// one entry per line, `<RFC3339Nano time> <stdout|stderr> <F|P> <content>`, P marking a
// partial line that the next entry continues. Served as upstream's kubelet does
// (pkg/kubelet/kuberuntime/logs): content only, or each line prefixed by its time with
// timestamps; tailLines counts entries from the end, sinceTime drops older entries,
// limitBytes cuts the output, follow keeps reading while the container runs.
import { open, type FileHandle } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';

export interface LogOptions {
  follow: boolean;
  timestamps: boolean;
  tailLines?: number;
  limitBytes?: number;
  /** Milliseconds since the epoch; entries before it are skipped. */
  sinceMs?: number;
}

export interface LogEntry {
  time: string;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  content: Buffer;
}

/** One CRI log line (without its newline); undefined for a malformed line, which upstream skips too. */
export function parseLogLine(line: Buffer): LogEntry | undefined {
  const a = line.indexOf(0x20);
  const b = a < 0 ? -1 : line.indexOf(0x20, a + 1);
  if (b < 0) return undefined;
  const stream = line.subarray(a + 1, b).toString();
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  // the tag field (F/P) was added in CRI v1; older files have none
  const c = line.indexOf(0x20, b + 1);
  const tag = c < 0 ? '' : line.subarray(b + 1, c).toString();
  const tagged = tag === 'F' || tag === 'P' || tag.startsWith('P:') || tag.startsWith('F:');
  return {
    time: line.subarray(0, a).toString(),
    stream,
    partial: tagged && tag.startsWith('P'),
    content: tagged ? line.subarray(c + 1) : line.subarray(b + 1),
  };
}

/** Writes entries the way the options ask, keeping the state a following read continues from. */
export class LogFormatter {
  private written = 0;
  /** The previous entry ended a line, so the next one starts a new line (gets a timestamp). */
  private atLineStart = true;

  constructor(private readonly opts: LogOptions) {}

  get exhausted(): boolean {
    return this.opts.limitBytes !== undefined && this.written >= this.opts.limitBytes;
  }

  format(e: LogEntry): Buffer | undefined {
    if (this.exhausted) return undefined;
    if (this.opts.sinceMs !== undefined && Date.parse(e.time) < this.opts.sinceMs) return undefined;
    const parts: Buffer[] = [];
    if (this.opts.timestamps && this.atLineStart) parts.push(Buffer.from(`${formatTime(e.time)} `));
    parts.push(e.content);
    if (!e.partial) parts.push(Buffer.from('\n'));
    this.atLineStart = !e.partial;
    let out = Buffer.concat(parts);
    if (this.opts.limitBytes !== undefined && this.written + out.length > this.opts.limitBytes)
      out = out.subarray(0, this.opts.limitBytes - this.written);
    this.written += out.length;
    return out;
  }
}

/** Go's RFC3339Nano (trailing zeros of the fraction dropped, zone kept), as upstream re-formats. */
export function formatTime(t: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(t);
  if (!m) return t;
  const frac = (m[2] ?? '').replace(/0+$/, '').replace(/^\.$/, '');
  return `${m[1]}${frac}${m[3]}`;
}

/** Splits complete lines off a buffer; the incomplete rest is returned for the next read. */
function splitLines(buf: Buffer): { lines: Buffer[]; rest: Buffer } {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, start)) {
    lines.push(buf.subarray(start, i));
    start = i + 1;
  }
  return { lines, rest: buf.subarray(start) };
}

export interface LogSink {
  /** false: the reader waits for 'drain' before writing more. */
  write(chunk: Buffer): boolean;
  onceDrain(cb: () => void): void;
}

const FOLLOW_POLL_MS = 250;

/**
 * Streams a log file to `sink`. With follow, keeps reading until `running()` turns false and
 * the file has no more to give, or `signal` aborts (the client went away).
 */
export async function streamLogFile(
  path: string,
  opts: LogOptions,
  sink: LogSink,
  running: () => boolean,
  signal: AbortSignal,
): Promise<void> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    // a container that never wrote (or whose file went away) has an empty log
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const fmt = new LogFormatter(opts);
  let offset = 0;
  let rest: Buffer = Buffer.alloc(0);
  const emit = async (entries: LogEntry[]) => {
    for (const e of entries) {
      const out = fmt.format(e);
      if (!out || out.length === 0) continue;
      if (!sink.write(out)) await new Promise<void>((r) => sink.onceDrain(r));
      if (signal.aborted) return;
    }
  };
  const readMore = async (): Promise<LogEntry[]> => {
    const { size } = await fh.stat();
    if (size < offset) offset = 0; // truncated or replaced: start over, as upstream reopens
    if (size === offset) return [];
    const chunk = Buffer.alloc(size - offset);
    const { bytesRead } = await fh.read(chunk, 0, chunk.length, offset);
    offset += bytesRead;
    const split = splitLines(Buffer.concat([rest, chunk.subarray(0, bytesRead)]));
    rest = split.rest;
    return split.lines.map(parseLogLine).filter((e): e is LogEntry => !!e);
  };
  let watcher: FSWatcher | undefined;
  try {
    let first = await readMore();
    if (opts.tailLines !== undefined) first = opts.tailLines === 0 ? [] : first.slice(-opts.tailLines);
    await emit(first);
    if (!opts.follow) return;
    let wake: (() => void) | undefined;
    try {
      watcher = watch(path, () => wake?.());
    } catch {
      watcher = undefined; // polling alone still follows
    }
    while (!signal.aborted && !fmt.exhausted) {
      const wasRunning = running();
      const more = await readMore();
      await emit(more);
      if (!wasRunning && more.length === 0) return;
      if (more.length > 0) continue;
      await new Promise<void>((r) => {
        const t = setTimeout(r, FOLLOW_POLL_MS);
        wake = () => {
          clearTimeout(t);
          r();
        };
        signal.addEventListener('abort', () => wake?.(), { once: true });
      });
      wake = undefined;
    }
  } finally {
    watcher?.close();
    await fh.close();
  }
}
