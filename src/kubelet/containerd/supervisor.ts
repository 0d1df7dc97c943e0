// Runs the agent's own containerd as a child process: writes its private config, starts it,
// waits until the CRI answers, imports the image tarballs of <data-dir>/agent/images, restarts
// it with backoff when it dies (pods survive: their shims are not its children), and stops it
// on dispose. A containerd left running by an agent that was killed is found through the pid
// file and replaced, so there is never more than one per data dir.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CriClient } from '../../cri/client.js';
import { logger } from '../../util/log.js';
import {
  containerdConfig,
  containerdPaths,
  type ContainerdConfigOptions,
  type ContainerdPaths,
} from './config.js';

const execFileAsync = promisify(execFile);
const log = logger('containerd');

export interface ContainerdSupervisorOptions extends ContainerdConfigOptions {
  dataDir: string;
  containerdPath?: string;
  ctrPath?: string;
  /** How long start() waits for the CRI to answer. */
  readyTimeoutMs?: number;
  /** Called after containerd came back from a crash and answers again. */
  onRestart?: () => void;
}

export interface ImportResult {
  file: string;
  ok: boolean;
  ms: number;
  error?: string;
}

export class ContainerdSupervisor {
  readonly paths: ContainerdPaths;
  private child: ChildProcess | undefined;
  private stopping = false;
  private backoffMs = 500;
  private restartTimer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  /** Restarts happen only once containerd has come up: a first start that fails is the caller's error. */
  private everReady = false;
  /** Time from spawn to the first CRI answer, of the last start. */
  lastReadyMs = 0;
  imports: ImportResult[] = [];

  constructor(private readonly opts: ContainerdSupervisorOptions) {
    this.paths = containerdPaths(opts.dataDir);
  }

  /** The CRI endpoint kubelets and crictl use: unix://<socket>. */
  get endpoint(): string {
    return 'unix://' + this.paths.socket;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    const p = this.paths;
    for (const d of [p.base, p.root, p.state, p.certsDir, p.cniConfDir, p.imagesDir])
      mkdirSync(d, { recursive: true });
    writeFileSync(p.config, containerdConfig(p, this.opts));
    await this.killStale();
    this.stopping = false;
    await this.spawnAndWait();
    this.everReady = true;
    this.imports = await this.importImages();
  }

  private async spawnAndWait(): Promise<void> {
    const p = this.paths;
    rmSync(p.socket, { force: true });
    const out = openSync(p.log, 'a');
    const started = performance.now();
    const child = spawn(this.opts.containerdPath ?? 'containerd', ['--config', p.config], {
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    this.child = child;
    this.startedAt = Date.now();
    const exited = new Promise<never>((_, reject) => {
      child.once('error', (err) => reject(new Error(`cannot run containerd: ${err.message}`)));
      child.once('exit', (code, signal) =>
        reject(new Error(`containerd exited during start (code ${code}, signal ${signal}); see ${p.log}`)),
      );
    });
    exited.catch(() => {}); // observed below through race(); avoid an unhandled rejection later
    writeFileSync(join(p.base, 'containerd.pid'), String(child.pid ?? ''));
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    const abort = new AbortController();
    try {
      await Promise.race([this.waitReady(this.opts.readyTimeoutMs ?? 30_000, abort.signal), exited]);
    } finally {
      abort.abort(); // a containerd that exited ends the polling too
    }
    this.lastReadyMs = performance.now() - started;
    log.info('containerd ready', { pid: child.pid, readyMs: Math.round(this.lastReadyMs) });
  }

  /** Polls the CRI Version call: the socket appears before the CRI plugin serves. */
  private async waitReady(timeoutMs: number, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const cri = new CriClient(this.endpoint, {
      timeoutMs: 1000,
      initialReconnectBackoffMs: 20,
      maxReconnectBackoffMs: 50,
    });
    try {
      for (;;) {
        if (existsSync(this.paths.socket)) {
          try {
            await cri.version(1000);
            return;
          } catch {
            // not serving yet
          }
        }
        if (signal.aborted) return;
        if (Date.now() > deadline)
          throw new Error(`containerd did not answer on ${this.paths.socket} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 25));
      }
    } finally {
      cri.close();
    }
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.child = undefined;
    if (this.stopping || !this.everReady) return;
    if (Date.now() - this.startedAt > 30_000) this.backoffMs = 500;
    log.warn('containerd exited; restarting', { code, signal, inMs: this.backoffMs });
    this.restartTimer = setTimeout(() => {
      this.spawnAndWait().then(
        () => this.opts.onRestart?.(),
        (err: Error) => log.error('containerd restart failed', { error: err.message }),
      );
    }, this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, 30_000);
  }

  /** A containerd from an earlier agent of this data dir (the agent was killed): end it. */
  private async killStale(): Promise<void> {
    const pidFile = join(this.paths.base, 'containerd.pid');
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (!pid || !isOurContainerd(pid, this.paths.config)) return;
    log.info('stopping a containerd left by an earlier agent', { pid });
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }

  /** Imports every <data-dir>/agent/images/*.tar into the k8s.io namespace (CRI's). */
  async importImages(): Promise<ImportResult[]> {
    const dir = this.paths.imagesDir;
    const files = existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.tar'))
          .sort()
      : [];
    const results: ImportResult[] = [];
    for (const f of files) {
      const started = performance.now();
      try {
        await execFileAsync(this.opts.ctrPath ?? 'ctr', [
          '--address',
          this.paths.socket,
          '-n',
          'k8s.io',
          'images',
          'import',
          '--snapshotter',
          'overlayfs',
          join(dir, f),
        ]);
        results.push({ file: f, ok: true, ms: performance.now() - started });
      } catch (err) {
        const error = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
        log.warn('image import failed', { file: f, error });
        results.push({ file: f, ok: false, ms: performance.now() - started, error });
      }
    }
    return results;
  }

  /** Stops containerd (SIGTERM, SIGKILL after 10 s). Running pods stay; the kubelet removes them first. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
    rmSync(join(this.paths.base, 'containerd.pid'), { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isOurContainerd(pid: number, config: string): boolean {
  try {
    // The config path is unique to this data dir: a process started with it is ours.
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const i = argv.indexOf('--config');
    return i >= 0 && argv[i + 1] === config;
  } catch {
    return false;
  }
}
