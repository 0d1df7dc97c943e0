// The supervisor against a stand-in containerd (fake-containerd.ts serves the CRI Version call
// on the socket named in the config the supervisor writes).
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContainerdSupervisor } from '../../../src/kubelet/containerd/supervisor.js';
import { containerdConfig, containerdPaths } from '../../../src/kubelet/containerd/config.js';

const fake = join(dirname(fileURLToPath(import.meta.url)), 'fake-containerd.js');

function fakeBinary(dir: string): string {
  const bin = join(dir, 'containerd');
  writeFileSync(bin, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(fake)} "$@"\n`);
  chmodSync(bin, 0o755);
  return bin;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, fn: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('containerd supervisor', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const s of stops.splice(0)) await s();
  });

  it('writes the config, starts containerd and waits until the CRI answers', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sup-'));
    const sup = new ContainerdSupervisor({ dataDir, containerdPath: fakeBinary(dataDir) });
    stops.push(() => sup.stop());
    await sup.start();
    assert.ok(existsSync(join(dataDir, 'agent', 'containerd', 'config.toml')));
    assert.equal(sup.endpoint, `unix://${dataDir}/agent/containerd/containerd.sock`);
    assert.ok(sup.pid && alive(sup.pid));
    assert.ok(sup.lastReadyMs > 0);
    assert.deepEqual(sup.imports, [], 'no tarballs, nothing imported');
  });

  it('restarts containerd after it dies and tells the caller', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sup-'));
    let restarts = 0;
    const sup = new ContainerdSupervisor({
      dataDir,
      containerdPath: fakeBinary(dataDir),
      onRestart: () => restarts++,
    });
    stops.push(() => sup.stop());
    await sup.start();
    const first = sup.pid!;
    process.kill(first, 'SIGKILL');
    await until('a restart', () => restarts === 1);
    assert.notEqual(sup.pid, first);
    assert.ok(alive(sup.pid!));
  });

  it('stop() ends containerd and it stays down', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sup-'));
    const sup = new ContainerdSupervisor({ dataDir, containerdPath: fakeBinary(dataDir) });
    await sup.start();
    const pid = sup.pid!;
    await sup.stop();
    assert.equal(alive(pid), false);
    await new Promise((r) => setTimeout(r, 700)); // longer than the first restart backoff
    assert.equal(sup.pid, undefined);
  });

  it('replaces a containerd left running by an earlier agent of the same data dir', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sup-'));
    const bin = fakeBinary(dataDir);
    // What a killed agent leaves: its containerd, running, and the pid file.
    const paths = containerdPaths(dataDir);
    mkdirSync(paths.base, { recursive: true });
    writeFileSync(paths.config, containerdConfig(paths));
    const orphan = spawn(bin, ['--config', paths.config], { stdio: 'ignore' });
    writeFileSync(join(paths.base, 'containerd.pid'), String(orphan.pid));
    const orphanExit = new Promise((r) => orphan.once('exit', r));
    await until('the orphan to listen', () => existsSync(paths.socket));
    const sup = new ContainerdSupervisor({ dataDir, containerdPath: bin });
    stops.push(() => sup.stop());
    await sup.start();
    await orphanExit;
    assert.notEqual(sup.pid, orphan.pid);
    assert.equal(readFileSync(join(paths.base, 'containerd.pid'), 'utf8'), String(sup.pid));
  });

  it('fails start() with the log path when containerd exits at once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sup-'));
    const bin = join(dataDir, 'containerd');
    writeFileSync(bin, '#!/bin/sh\necho "containerd: bad config" >&2\nexit 1\n');
    chmodSync(bin, 0o755);
    const sup = new ContainerdSupervisor({ dataDir, containerdPath: bin });
    await assert.rejects(
      sup.start(),
      /containerd exited during start \(code 1, signal null\); see .*containerd\.log/,
    );
    await sup.stop();
    assert.match(readFileSync(join(dataDir, 'agent', 'containerd', 'containerd.log'), 'utf8'), /bad config/);
  });
});
