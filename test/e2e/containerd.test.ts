// Real containers through our CRI client against the agent's own containerd: build the test
// images, start containerd, run a pod sandbox and containers, read the CRI log file, exec,
// survive a containerd crash, stop and remove everything, then check nothing is left behind
// (bridge, iptables chains, cgroups, mounts).
// Needs root, containerd, runc and the CNI plugins: runs only with K8TS_E2E=1
// (scripts/e2e-containerd.sh sets it), so the default `npm test` skips it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CriClient } from '../../src/cri/client.js';
import type { ContainerConfig, PodSandboxConfig } from '../../src/cri/types.js';
import { ContainerdSupervisor } from '../../src/kubelet/containerd/supervisor.js';
import { buildTestImages, testImages } from '../../src/kubelet/containerd/oci/test-images.js';
import { cgroupTreeExists, removeCgroupTree } from '../../src/kubelet/containerd/cgroups.js';
import { writeBridgeConflist } from '../../src/kubelet/cni/config.js';
import { cleanupCniHostState, cniChains } from '../../src/kubelet/cni/cleanup.js';
import { writeMirrorHosts } from '../../src/kubelet/containerd/config.js';
import { startRegistryMirror } from '../../src/kubelet/registry-mirror/server.js';
import { ContainerdImageSource } from '../../src/kubelet/registry-mirror/source.js';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { until as untilPolled } from './until.js';

/** Finer polling here: the figures this suite prints are start-up times. */
const until = <T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> =>
  untilPolled(what, fn, timeoutMs, 50);

const enabled = process.env.K8TS_E2E === '1';
const BRIDGE = 'k8tse2e0'; // not cni0: a developer's own agent may own that one
const POD_CIDR = '10.244.250.0/24';
const CGROUP_PARENT = '/k8ts-e2e';

function ms(start: number): string {
  return `${(performance.now() - start).toFixed(0)} ms`;
}

/**
 * Opens a CRI streaming URL as a WebSocket with the given subprotocol and collects the server's
 * binary frames (unmasked, as servers send them) until it closes: the kubelet bridges kubectl
 * to these URLs.
 */
function wsCollect(
  url: string,
  protocol: string,
): Promise<{ status: number; protocol?: string; frames: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Protocol': protocol,
      },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, frames: [] });
    });
    req.on('upgrade', (res, socket, head) => {
      let buf = Buffer.from(head);
      const frames: Buffer[] = [];
      const done = () =>
        resolve({ status: res.statusCode ?? 0, protocol: res.headers['sec-websocket-protocol'], frames });
      socket.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        for (;;) {
          if (buf.length < 2) return;
          const opcode = buf[0] & 0x0f;
          let len = buf[1] & 0x7f;
          let off = 2;
          if (len === 126) [len, off] = [buf.readUInt16BE(2), 4];
          else if (len === 127) [len, off] = [Number(buf.readBigUInt64BE(2)), 10];
          if (buf.length < off + len) return;
          const payload = buf.subarray(off, off + len);
          buf = buf.subarray(off + len);
          if (opcode === 0x8) {
            socket.destroy();
            return done();
          }
          if (opcode === 0x2 || opcode === 0x1) frames.push(Buffer.from(payload));
        }
      });
      socket.on('close', done);
    });
    req.end();
  });
}

describe(
  'containerd through the CRI client',
  { skip: !enabled && 'set K8TS_E2E=1 (root, containerd)' },
  () => {
    let dataDir: string;
    let sup: ContainerdSupervisor;
    let cri: CriClient;
    const uid = '5d6f7c4e-0000-4000-8000-00000000e2e0';
    let sandboxConfig: PodSandboxConfig;
    let sandboxId = '';
    const figures: Record<string, string> = {};
    const manifests = new Map<string, string>(); // image name → manifest digest, from the build

    before(async () => {
      dataDir = mkdtempSync('/tmp/k8ts-e2e-');
      let t = performance.now();
      for (const r of buildTestImages(join(dataDir, 'agent', 'images'))) {
        for (const n of r.names) manifests.set(n, r.manifestDigest);
      }
      figures['image build (4 images, cold)'] = ms(t);
      t = performance.now();
      buildTestImages(join(dataDir, 'agent', 'images'));
      figures['image build (cached)'] = ms(t);
      sup = new ContainerdSupervisor({ dataDir });
      writeBridgeConflist(sup.paths.cniConfDir, {
        podCIDR: POD_CIDR,
        bridge: BRIDGE,
        ipamDataDir: join(dataDir, 'agent', 'cni', 'networks'),
      });
      t = performance.now();
      await sup.start();
      figures['containerd spawn → CRI ready'] = `${sup.lastReadyMs.toFixed(0)} ms`;
      figures[`image import (${sup.imports.length} tarballs)`] =
        `${sup.imports.reduce((a, r) => a + r.ms, 0).toFixed(0)} ms`;
      cri = new CriClient(sup.endpoint);
    });

    after(async () => {
      if (!enabled) return;
      cri?.close();
      await sup?.stop();
      await cleanupCniHostState({ bridge: BRIDGE, ipamDataDir: join(dataDir, 'agent', 'cni', 'networks') });
      removeCgroupTree(CGROUP_PARENT);
      rmSync(dataDir, { recursive: true, force: true });
      for (const [k, v] of Object.entries(figures)) console.log(`# ${k}: ${v}`);
    });

    it('imported every tarball and reports the runtime ready', async () => {
      assert.deepEqual(
        sup.imports.map((r) => [r.file, r.ok]),
        testImages(dataDir)
          .map((i): [string, boolean] => [i.file, true])
          .sort(([a], [b]) => (a < b ? -1 : 1)),
      );
      const v = await cri.version();
      assert.equal(v.runtime_name, 'containerd');
      assert.equal(v.runtime_api_version, 'v1');
      const status = await until('NetworkReady', async () => {
        const s = await cri.status();
        return s.status?.conditions.every((c) => c.status) ? s : undefined;
      });
      assert.deepEqual(status.status?.conditions.map((c) => c.type).sort(), ['NetworkReady', 'RuntimeReady']);
      const tags = (await cri.listImages()).flatMap((i) => i.repo_tags).sort();
      for (const t of [
        'docker.io/library/busybox:1.36',
        'docker.io/library/busybox:latest',
        'docker.io/library/nginx:latest',
        'docker.io/library/nginx:1.14.2',
        'docker.io/library/httpd:latest',
        'docker.io/gurumee92/simple-app:v1',
        'registry.k8s.io/serve_hostname:latest',
        'k8ts.io/test:latest',
        'registry.k8s.io/pause:3.9',
      ]) {
        assert.ok(tags.includes(t), `${t} in ${tags.join(', ')}`);
      }
      assert.equal(await cri.imageStatus('docker.io/library/nothere:1'), null);
      assert.ok((await cri.imageStatus('busybox'))?.id.startsWith('sha256:'));
    });

    it('serves the node images as a registry mirror, so pulls (imagePullPolicy Always) work offline', async () => {
      const mirror = await startRegistryMirror(
        new ContainerdImageSource({ address: sup.paths.socket, root: sup.paths.root }),
      );
      writeMirrorHosts(sup.paths.certsDir, mirror.url);
      try {
        const v2 = await fetch(mirror.url + '/v2/');
        assert.equal(v2.status, 200);
        assert.equal(v2.headers.get('docker-distribution-api-version'), 'registry/2.0');
        const busybox = manifests.get('docker.io/library/busybox:latest');
        const head = await fetch(`${mirror.url}/v2/library/busybox/manifests/latest?ns=docker.io`, {
          method: 'HEAD',
        });
        assert.equal(head.status, 200);
        assert.equal(head.headers.get('docker-content-digest'), busybox);
        assert.equal(head.headers.get('content-type'), 'application/vnd.oci.image.manifest.v1+json');
        const manifest = await (await fetch(`${mirror.url}/v2/library/busybox/manifests/${busybox}`)).json();
        const layer = manifest.layers[0].digest as string;
        const blob = Buffer.from(
          await (await fetch(`${mirror.url}/v2/library/busybox/blobs/${layer}`)).arrayBuffer(),
        );
        assert.equal('sha256:' + createHash('sha256').update(blob).digest('hex'), layer);
        const missing = await fetch(`${mirror.url}/v2/library/nothere/manifests/latest?ns=docker.io`);
        assert.equal(missing.status, 404);
        assert.equal((await missing.json()).errors[0].code, 'MANIFEST_UNKNOWN');
        const put = await fetch(`${mirror.url}/v2/library/busybox/manifests/latest`, {
          method: 'PUT',
          body: '{}',
        });
        assert.equal(put.status, 405);

        let t = performance.now();
        const ref = await cri.pullImage('busybox');
        figures['PullImage busybox through the mirror'] = ms(t);
        assert.equal(ref, (await cri.imageStatus('busybox'))?.id);
        t = performance.now();
        await cri.pullImage('docker.io/library/nginx:latest');
        await cri.pullImage('registry.k8s.io/pause:3.9');
        await cri.pullImage('k8ts.io/test:latest');
        figures['PullImage nginx+pause+test through the mirror'] = ms(t);
        const bad = await cri
          .pullImage('docker.io/library/nothere:1', undefined, undefined, 60_000)
          .catch((e: Error) => e);
        assert.ok(bad instanceof Error, 'pulling an image no registry has fails');
        assert.match(
          bad.message,
          /^rpc error: code = \w+ desc = failed to pull and unpack image "docker.io\/library\/nothere:1"/,
        );
      } finally {
        await mirror.close();
      }
    });

    it('runs a sandbox with an IP from the podCIDR', async () => {
      sandboxConfig = {
        metadata: { name: 'e2e', uid, namespace: 'default', attempt: 0 },
        hostname: 'e2e-pod',
        log_directory: join(dataDir, 'pods', `default_e2e_${uid}`),
        dns_config: {
          servers: ['10.43.0.10'],
          searches: ['default.svc.cluster.local'],
          options: ['ndots:5'],
        },
        labels: {
          'io.kubernetes.pod.name': 'e2e',
          'io.kubernetes.pod.namespace': 'default',
          'io.kubernetes.pod.uid': uid,
        },
        linux: {
          cgroup_parent: `${CGROUP_PARENT}/pod${uid}`,
          security_context: { namespace_options: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } },
        },
      };
      const t = performance.now();
      sandboxId = await cri.runPodSandbox(sandboxConfig);
      figures['RunPodSandbox'] = ms(t);
      const st = await cri.podSandboxStatus(sandboxId);
      assert.equal(st.status?.state, 'SANDBOX_READY');
      assert.match(st.status?.network?.ip ?? '', /^10\.244\.250\.\d+$/);
      assert.equal(st.status?.metadata.name, 'e2e');
      const listed = await cri.listPodSandbox({ label_selector: { 'io.kubernetes.pod.uid': uid } });
      assert.deepEqual(
        listed.map((s) => s.id),
        [sandboxId],
      );
    });

    function container(name: string, command: string[]): ContainerConfig {
      return {
        metadata: { name, attempt: 0 },
        image: { image: 'docker.io/library/busybox:latest' },
        command,
        envs: [{ key: 'GREETING', value: 'hello' }],
        log_path: `${name}/0.log`,
        labels: { 'io.kubernetes.container.name': name },
        linux: { resources: { memory_limit_in_bytes: 64 * 1024 * 1024, cpu_shares: 256 } },
      };
    }

    it('runs `echo hello` and writes it to the CRI log file', async () => {
      const t = performance.now();
      const id = await cri.createContainer(
        sandboxId,
        container('echo', ['sh', '-c', 'echo $GREETING']),
        sandboxConfig,
      );
      const created = performance.now();
      await cri.startContainer(id);
      figures['CreateContainer'] = `${(created - t).toFixed(0)} ms`;
      figures['StartContainer'] = ms(created);
      const status = await until('the echo container to exit', async () => {
        const s = (await cri.containerStatus(id)).status;
        return s?.state === 'CONTAINER_EXITED' ? s : undefined;
      });
      assert.equal(status.exit_code, 0);
      assert.equal(status.reason, 'Completed');
      const logPath = join(sandboxConfig.log_directory ?? '', 'echo', '0.log');
      assert.equal(status.log_path, logPath);
      const lines = readFileSync(logPath, 'utf8').trimEnd().split('\n');
      assert.equal(lines.length, 1);
      assert.match(lines[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|[+-]\d\d:\d\d) stdout F hello$/);
      await cri.removeContainer(id);
    });

    let sleeperId = '';
    it('execs in a running container: output, stderr, exit code, pod hostname and loopback', async () => {
      sleeperId = await cri.createContainer(
        sandboxId,
        container('sleeper', ['sleep', '3600']),
        sandboxConfig,
      );
      await cri.startContainer(sleeperId);
      const r = await cri.execSync(sleeperId, ['sh', '-c', 'echo out; echo err >&2; exit 3'], 10);
      assert.equal(r.stdout.toString(), 'out\n');
      assert.equal(r.stderr.toString(), 'err\n');
      assert.equal(r.exit_code, 3);
      assert.equal((await cri.execSync(sleeperId, ['hostname'], 10)).stdout.toString(), 'e2e-pod\n');
      const lo = (
        await cri.execSync(sleeperId, ['ip', '-o', '-4', 'addr', 'show', 'lo'], 10)
      ).stdout.toString();
      assert.match(lo, /inet 127\.0\.0\.1\/8/);
      const resolv = (await cri.execSync(sleeperId, ['cat', '/etc/resolv.conf'], 10)).stdout.toString();
      assert.match(resolv, /nameserver 10\.43\.0\.10/);
      const mem = (
        await cri.execSync(sleeperId, ['cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes'], 10)
      ).stdout.toString();
      assert.equal(mem.trim(), String(64 * 1024 * 1024));
      const url = await cri.exec({
        container_id: sleeperId,
        cmd: ['sh', '-c', 'echo hi; exit 2'],
        stdout: true,
        stderr: true,
      });
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/exec\//);
      // containerd 1.6's streaming server speaks WebSocket v4.channel.k8s.io (not v5): a frame's
      // first byte is the channel (1 stdout, 2 stderr, 3 error/status).
      const ws = await wsCollect(url, 'v4.channel.k8s.io');
      assert.equal(ws.status, 101);
      assert.equal(ws.protocol, 'v4.channel.k8s.io');
      const stdout = Buffer.concat(ws.frames.filter((f) => f[0] === 1).map((f) => f.subarray(1))).toString();
      assert.equal(stdout, 'hi\n');
      const status = JSON.parse(
        Buffer.concat(ws.frames.filter((f) => f[0] === 3).map((f) => f.subarray(1))).toString(),
      );
      assert.equal(status.status, 'Failure');
      assert.equal(status.reason, 'NonZeroExitCode');
      assert.deepEqual(status.details.causes, [{ reason: 'ExitCode', message: '2' }]);
      const pf = await cri.portForward(sandboxId, [80]);
      assert.match(pf, /^http:\/\/127\.0\.0\.1:\d+\/portforward\//);
      const stats = await cri.containerStats(sleeperId);
      assert.ok(Number(stats?.memory?.working_set_bytes?.value ?? 0) > 0);
      const missing = await cri.containerStatus('no-such-container').catch((e: Error) => e);
      assert.ok(missing instanceof Error);
      assert.match(missing.message, /^rpc error: code = NotFound desc = /);
    });

    it('pods survive containerd being killed; the supervisor restarts it', async () => {
      const oldPid = sup.pid;
      assert.ok(oldPid);
      process.kill(oldPid, 'SIGKILL');
      const t = performance.now();
      await until('containerd to come back', async () => (sup.pid && sup.pid !== oldPid ? true : undefined));
      const r = await until('exec after the restart', async () => {
        const res = await cri.execSync(sleeperId, ['echo', 'still here'], 10);
        return res.exit_code === 0 ? res : undefined;
      });
      figures['SIGKILL → exec works again (backoff 500 ms included)'] = ms(t);
      figures['containerd restart → CRI ready'] = `${sup.lastReadyMs.toFixed(0)} ms`;
      assert.equal(r.stdout.toString(), 'still here\n');
    });

    it('stops and removes everything, leaving no mounts, cgroups, bridge or chains after cleanup', async () => {
      let t = performance.now();
      await cri.stopContainer(sleeperId, 0);
      await cri.removeContainer(sleeperId);
      t = performance.now();
      await cri.stopPodSandbox(sandboxId);
      await cri.removePodSandbox(sandboxId);
      figures['stop+remove sandbox'] = ms(t);
      assert.deepEqual(await cri.listPodSandbox(), []);
      assert.deepEqual(await cri.listContainers(), []);
      // Removal is idempotent, as the CRI requires.
      await cri.removePodSandbox(sandboxId);

      await sup.stop();
      const left = await cleanupCniHostState({
        bridge: BRIDGE,
        ipamDataDir: join(dataDir, 'agent', 'cni', 'networks'),
      });
      removeCgroupTree(CGROUP_PARENT);
      assert.throws(() => execFileSync('ip', ['link', 'show', BRIDGE], { stdio: 'pipe' }));
      for (const table of ['nat', 'filter']) {
        const save = execFileSync('iptables-save', ['-t', table], { encoding: 'utf8' });
        assert.deepEqual(cniChains(save), [], `${table}: ${left.chainsRemoved}`);
      }
      assert.deepEqual(cgroupTreeExists(CGROUP_PARENT), []);
      const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .filter((l) => l.includes(dataDir));
      assert.deepEqual(mounts, []);
    });
  },
);
