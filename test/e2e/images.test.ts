// The test images do what pods expect of them: nginx serves its default page on :80 (also
// through a hostPort), k8ts.io/test serves a fixed text on 8080, gets OOM-killed over its memory
// limit and burns CPU. Runs only with K8TS_E2E=1 (root, containerd): scripts/e2e-containerd.sh.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { ContainerConfig, PodSandboxConfig } from '../../src/cri/types.js';
import { ContainerdNode } from '../../src/kubelet/containerd/node.js';
import { cgroupTreeExists } from '../../src/kubelet/containerd/cgroups.js';
import { until as untilPolled } from './until.js';

/** Finer polling here: the figures this suite prints are start-up times. */
const until = <T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> =>
  untilPolled(what, fn, timeoutMs, 50);

const enabled = process.env.K8TS_E2E === '1';
const BRIDGE = 'k8tse2e1';
const CGROUP_ROOT = '/k8ts-e2e-images';

function hostIPv4(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? [])
      if (a.family === 'IPv4' && !a.internal && !a.address.startsWith('10.244.')) return a.address;
  }
  throw new Error('no host IPv4 address');
}

describe('test images in real pods', { skip: !enabled && 'set K8TS_E2E=1 (root, containerd)' }, () => {
  let dataDir: string;
  let node: ContainerdNode;
  let n = 0;

  before(async () => {
    dataDir = mkdtempSync('/tmp/k8ts-e2e-img-');
    node = await ContainerdNode.start({
      dataDir,
      podCIDR: '10.244.251.0/24',
      bridge: BRIDGE,
      buildTestImages: true,
      cgroupRoot: CGROUP_ROOT,
    });
  });

  after(async () => {
    if (!enabled) return;
    await node?.removeAllPods().catch(() => 0);
    await node?.stop();
    await node?.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function runPod(
    container: Omit<ContainerConfig, 'metadata' | 'log_path'>,
    extra: Partial<PodSandboxConfig> = {},
  ) {
    const uid = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
    const config: PodSandboxConfig = {
      metadata: { name: `img-${n}`, uid, namespace: 'default' },
      hostname: `img-${n}`,
      log_directory: join(dataDir, 'pods', uid),
      linux: { cgroup_parent: `${CGROUP_ROOT}/pod${uid}` },
      ...extra,
    };
    const sandbox = await node.cri.runPodSandbox(config);
    const ip = (await node.cri.podSandboxStatus(sandbox)).status?.network?.ip ?? '';
    const id = await node.cri.createContainer(
      sandbox,
      { metadata: { name: 'c' }, log_path: 'c/0.log', ...container },
      config,
    );
    await node.cri.startContainer(id);
    return { sandbox, id, ip, logPath: join(config.log_directory ?? '', 'c', '0.log') };
  }

  async function httpText(url: string): Promise<string> {
    return until(url, async () => {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      return r.ok ? r.text() : undefined;
    });
  }

  it('nginx serves the default page on :80, on a hostPort too, and logs requests to stdout', async () => {
    const pod = await runPod(
      { image: { image: 'nginx' } },
      { port_mappings: [{ protocol: 'TCP', container_port: 80, host_port: 18080 }] },
    );
    assert.match(pod.ip, /^10\.244\.251\.\d+$/);
    assert.match(await httpText(`http://${pod.ip}/`), /<title>Welcome to nginx!<\/title>/);
    assert.match(await httpText(`http://${hostIPv4()}:18080/`), /Welcome to nginx!/);
    const log = await until('the access log line', async () => {
      const text = readFileSync(pod.logPath, 'utf8');
      return /stdout F .*"GET \/ HTTP\/1\.1" 200/.test(text) ? text : undefined;
    });
    assert.ok(log.length > 0);
  });

  it('k8ts.io/test serves "Hello World v1" on 8080 by default, any text with --text', async () => {
    const byDefault = await runPod({ image: { image: 'k8ts.io/test:latest' } });
    assert.equal(await httpText(`http://${byDefault.ip}:8080/`), 'Hello World v1\n');
    assert.equal(await httpText(`http://${byDefault.ip}:8080/healthz`), 'ok\n');
    const v2 = await runPod({
      image: { image: 'k8ts.io/test:latest' },
      args: ['k8ts-test', 'serve', '--text', 'Hello World v2'],
    });
    assert.equal(await httpText(`http://${v2.ip}:8080/`), 'Hello World v2\n');
  });

  it('k8ts.io/test stress over its memory limit is OOMKilled with exit code 137', async () => {
    const pod = await runPod({
      image: { image: 'k8ts.io/test:latest' },
      command: ['stress', '--vm', '1', '--vm-bytes', '150M', '--vm-hang', '1'],
      linux: {
        resources: { memory_limit_in_bytes: 50 * 1024 * 1024, memory_swap_limit_in_bytes: 50 * 1024 * 1024 },
      },
    });
    const status = await until('the stress container to exit', async () => {
      const s = (await node.cri.containerStatus(pod.id)).status;
      return s?.state === 'CONTAINER_EXITED' ? s : undefined;
    });
    assert.equal(status.exit_code, 137);
    assert.equal(status.reason, 'OOMKilled');
  });

  it('k8ts.io/test stress under its limit holds the memory; --cpus burns CPU', async () => {
    const mem = await runPod({
      image: { image: 'k8ts.io/test:latest' },
      command: ['k8ts-test', 'stress', '--vm-bytes', '20M'],
      linux: { resources: { memory_limit_in_bytes: 100 * 1024 * 1024 } },
    });
    await until('20 MiB in use', async () => {
      const s = await node.cri.containerStats(mem.id);
      return Number(s?.memory?.working_set_bytes?.value ?? 0) > 20 * 1024 * 1024 ? true : undefined;
    });
    assert.equal((await node.cri.containerStatus(mem.id)).status?.state, 'CONTAINER_RUNNING');
    const cpu = await runPod({
      image: { image: 'k8ts.io/test:latest' },
      command: ['k8ts-test', 'stress', '--cpus', '1'],
    });
    await until('0.3 s of CPU used', async () => {
      const s = await node.cri.containerStats(cpu.id);
      return Number(s?.cpu?.usage_core_nano_seconds?.value ?? 0) > 3e8 ? true : undefined;
    });
  });

  it('imagePullPolicy: Always works offline through the mirror; a missing image is ErrImagePull', async () => {
    const events: string[] = [];
    const emit = (e: { reason: string; message: string }) => events.push(`${e.reason}: ${e.message}`);
    const ok = await node.images.ensureImage({ podUid: 'u', image: 'nginx', policy: 'Always' }, emit);
    assert.ok('imageRef' in ok, JSON.stringify(ok));
    assert.equal(ok.imageRef, (await node.cri.imageStatus('nginx'))?.id);
    assert.equal(events[0], 'Pulling: Pulling image "nginx"');
    assert.match(
      events[1],
      /^Pulled: Successfully pulled image "nginx" in \S+ \(\S+ including waiting\)\. Image size: \d+ bytes\.$/,
    );
    const missing = await node.images.ensureImage(
      { podUid: 'u', image: 'nothere:1', policy: 'IfNotPresent' },
      emit,
    );
    assert.ok('reason' in missing);
    assert.equal(missing.reason, 'ErrImagePull');
    assert.match(
      missing.message,
      /^rpc error: code = \w+ desc = failed to pull and unpack image "docker.io\/library\/nothere:1"/,
    );
    const never = await node.images.ensureImage({ podUid: 'u', image: 'nothere:1', policy: 'Never' }, emit);
    assert.deepEqual(never, {
      reason: 'ErrImageNeverPull',
      message: 'Container image "nothere:1" is not present with pull policy of Never',
    });
  });

  it('busybox:1.36 is the same image as busybox:latest', async () => {
    const a = await node.cri.imageStatus('busybox:1.36');
    const b = await node.cri.imageStatus('busybox');
    assert.ok(a && b);
    assert.equal(a.id, b.id);
  });

  it('leaves nothing behind once pods are removed and the node cleaned up', async () => {
    assert.ok((await node.removeAllPods()) >= 5);
    assert.deepEqual(await node.cri.listPodSandbox(), []);
    await node.stop();
    const { cgroupsLeft } = await node.cleanup();
    assert.deepEqual(cgroupsLeft, []);
    assert.deepEqual(cgroupTreeExists(CGROUP_ROOT), []);
    assert.throws(() => execFileSync('ip', ['link', 'show', BRIDGE], { stdio: 'pipe' }));
    const nat = execFileSync('iptables-save', ['-t', 'nat'], { encoding: 'utf8' });
    assert.doesNotMatch(nat, /CNI-HOSTPORT|CNI-DN-/);
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .filter((l) => l.includes(dataDir));
    assert.deepEqual(mounts, []);
  });
});
