// Starts a real `k8ts server` (bin/k8ts, as a user would) on a free loopback port with a fresh
// data dir, and drives it with the bundled kubectl v1.31.
import { spawn, spawnSync, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'node:https';
import assert from 'node:assert/strict';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const KUBECTL = join(ROOT, '.bin-tools', 'kubectl');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface TestServer {
  dir: string;
  dataDir: string;
  port: number;
  kubeconfig: string;
  proc: ChildProcess;
  log: () => string;
  kubectl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  /** HTTPS request with the admin client certificate. */
  api(
    method: string,
    path: string,
    body?: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: string; headers: Record<string, unknown> }>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startServer(
  extraArgs: string[] = [],
  reuse?: { dir: string; port: number },
): Promise<TestServer> {
  const dir = reuse?.dir ?? mkdtempSync(join(tmpdir(), 'k8ts-it-'));
  const dataDir = join(dir, 'data');
  const kubeconfig = join(dir, 'admin.kubeconfig');
  const port = reuse?.port ?? (await freePort());
  let output = '';
  const proc = spawn(
    join(ROOT, 'bin', 'k8ts'),
    [
      'server',
      '--data-dir',
      dataDir,
      '--bind-address',
      '127.0.0.1',
      '--https-listen-port',
      String(port),
      '--write-kubeconfig',
      kubeconfig,
      // `--enable-agent` (a harness option, not a server flag) runs the local node agent
      ...(extraArgs.includes('--enable-agent') ? [] : ['--disable-agent']),
      // `--enable-coredns` (a harness option) keeps the coredns add-on; tests otherwise start
      // from an empty kube-system, as they were written (its pod would land on sim nodes)
      ...(extraArgs.includes('--enable-coredns') ? [] : ['--disable=coredns']),
      // as upstream's integration test servers: without the controllers nobody makes the
      // `default` ServiceAccount, so its admission plugin would refuse every pod
      ...(extraArgs.includes('--disable-controller-manager')
        ? ['--disable-admission-plugins', 'ServiceAccount']
        : []),
      ...extraArgs.filter((a) => a !== '--enable-agent' && a !== '--enable-coredns'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));

  const kubectl: TestServer['kubectl'] = (args, input) =>
    new Promise((resolve) => {
      const child = execFile(
        KUBECTL,
        ['--kubeconfig', kubeconfig, ...args],
        { timeout: 30_000 },
        (err, stdout, stderr) => {
          const code = err
            ? typeof (err as { code?: unknown }).code === 'number'
              ? (err as { code: number }).code
              : 1
            : 0;
          resolve({ code, stdout, stderr });
        },
      );
      if (input !== undefined) child.stdin!.end(input);
    });

  const api: TestServer['api'] = (method, path, body, headers = {}) => {
    const cfg = readFileSync(kubeconfig, 'utf8');
    const field = (name: string) =>
      Buffer.from(new RegExp(`${name}: (\\S+)`).exec(cfg)![1], 'base64').toString();
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          ca: field('certificate-authority-data'),
          cert: field('client-certificate-data'),
          key: field('client-key-data'),
          headers: { 'Content-Type': 'application/json', ...headers },
        },
        (res) => {
          let data = '';
          res.on('data', (d: Buffer) => (data += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, headers: res.headers }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`k8ts server exited early:\n${output}`);
    if (existsSync(kubeconfig)) {
      const r = await kubectl(['get', '--raw', '/readyz']);
      if (r.code === 0) break;
    }
    if (Date.now() > deadline) throw new Error(`k8ts server not ready in 30s:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  // with the controllers running, the cluster is up once they made the default namespace's
  // `default` ServiceAccount: before that, pods are refused (as on a starting upstream cluster)
  if (!extraArgs.includes('--disable-controller-manager')) {
    for (;;) {
      const r = await kubectl(['-n', 'default', 'get', 'serviceaccount', 'default', '-o', 'name']);
      if (r.code === 0) break;
      if (Date.now() > deadline + 30_000) throw new Error(`no default ServiceAccount in 60s:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return {
    dir,
    dataDir,
    port,
    kubeconfig,
    proc,
    log: () => output,
    kubectl,
    api,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode === null) proc.kill(signal);
      return exited;
    },
  };
}

export function cleanup(s: TestServer): void {
  // a pod network namespace containerd had not released yet is still a mount point below the
  // data dir: detach it, or the removal fails with EBUSY
  if (existsSync('/proc/self/mounts'))
    for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
      const mountPoint = line.split(' ')[1];
      if (mountPoint?.startsWith(s.dir + '/')) spawnSync('umount', ['-l', mountPoint]);
    }
  rmSync(s.dir, { recursive: true, force: true });
}

/**
 * Polls `fn` every 200 ms until it returns a truthy value, which it returns; fails the test
 * after `ms` (a bound on the wait, not a timed assertion).
 */
export async function eventually<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`${what}: not reached in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** `eventually` with another default bound, for suites whose waits are all longer. */
export function eventuallyWithin(defaultMs: number) {
  return <T>(what: string, fn: () => Promise<T | undefined | false>, ms = defaultMs): Promise<T> =>
    eventually(what, fn, ms);
}
