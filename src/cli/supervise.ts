// Runs a k8ts component as a child process (so a controller's work never blocks the API
// server's event loop) and restarts it with backoff if it dies.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';
import { logger } from '../util/log.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'k8ts');

export interface Supervised {
  stop(): Promise<void>;
}

export function supervise(name: string, args: string[]): Supervised {
  const log = logger('supervisor');
  let child: ChildProcess | undefined;
  let stopping = false;
  let backoff = 500;
  let timer: NodeJS.Timeout | undefined;
  const run = () => {
    const started = Date.now();
    // K8TS_PARENT_PID tells the child to exit when we are gone (even after SIGKILL)
    child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, K8TS_PARENT_PID: String(process.pid) },
    });
    child.on('exit', (code, signal) => {
      if (stopping) return;
      if (Date.now() - started > 30_000) backoff = 500;
      log.warn('component exited; restarting', { component: name, code, signal, inMs: backoff });
      timer = setTimeout(run, backoff);
      backoff = Math.min(backoff * 2, 30_000);
    });
  };
  run();
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        clearTimeout(timer);
        if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => {
          log.warn('component did not stop in 5s; killing it', { component: name });
          child?.kill('SIGKILL');
        }, 5000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
