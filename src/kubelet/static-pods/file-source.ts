// The static pod file source (upstream's pkg/kubelet/config/file.go): every manifest in one
// directory (or one file) is a Pod bound to this node. The directory is watched, and rescanned
// every fileCheckFrequency in case a watch event was lost (or the path did not exist yet).
// A file that does not parse is logged and skipped; the others are unaffected.
import { readdirSync, readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { logger } from '../../util/log.js';
import { timestampNow } from '../pod-status.js';
import type { Pod } from '../runtime/types.js';
import { isManifestName, podFromManifest } from './manifest.js';

const log = logger('static-pods');

export interface FileSourceOptions {
  path: string;
  nodeName: string;
  /** Rescan period (KubeletConfiguration fileCheckFrequency, default 20 s). */
  checkFrequencyMs: number;
  /** Called with every static pod, by namespace/name, after each change. */
  onChange: (pods: Map<string, Pod>) => void;
}

export class FileSource {
  private pods = new Map<string, Pod>();
  private readonly bad = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly opts: FileSourceOptions) {}

  start(): void {
    this.scan();
    this.timer = setInterval(() => this.scan(), this.opts.checkFrequencyMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.debounce);
    this.watcher?.close();
    this.watcher = undefined;
  }

  /** The current static pods by namespace/name. */
  current(): Map<string, Pod> {
    return this.pods;
  }

  /** (Re)opens the watch when the path exists; a vanished directory is watched again later. */
  private ensureWatch(isDir: boolean): void {
    if (this.watcher || this.stopped) return;
    const target = isDir ? this.opts.path : dirname(this.opts.path);
    try {
      this.watcher = watch(target, () => {
        // editors write in several steps: read once they are done
        clearTimeout(this.debounce);
        this.debounce = setTimeout(() => this.scan(), 100);
      });
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      this.watcher = undefined;
    }
  }

  private files(): string[] {
    const path = this.opts.path;
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      // not there (yet): no static pods; upstream logs this at a low level too
      this.watcher?.close();
      this.watcher = undefined;
      return [];
    }
    this.ensureWatch(isDir);
    if (!isDir) return [path];
    return readdirSync(path)
      .filter(isManifestName)
      .sort()
      .map((n) => join(path, n))
      .filter((f) => {
        try {
          return statSync(f).isFile();
        } catch {
          return false;
        }
      });
  }

  /** Reads every manifest and reports when the set of pods (by UID) changed. */
  scan(): void {
    if (this.stopped) return;
    const next = new Map<string, Pod>();
    for (const file of this.files()) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue; // removed between the listing and the read
      }
      let pod: Pod;
      try {
        pod = podFromManifest(text, file, this.opts.nodeName, timestampNow());
      } catch (err) {
        const why = (err as Error).message;
        if (this.bad.get(file) !== why)
          log.warn('static pod manifest skipped', { file: basename(file), error: why });
        this.bad.set(file, why);
        continue;
      }
      this.bad.delete(file);
      const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
      if (next.has(key)) {
        log.warn('static pod manifest skipped: another file defines the same pod', {
          file: basename(file),
          pod: key,
        });
        continue;
      }
      const old = this.pods.get(key);
      // an unchanged file keeps its object (and its config.seen time)
      next.set(key, old && old.metadata.uid === pod.metadata.uid ? old : pod);
    }
    const changed = next.size !== this.pods.size || [...next].some(([k, p]) => this.pods.get(k) !== p);
    this.pods = next;
    if (changed) this.opts.onChange(next);
  }
}
