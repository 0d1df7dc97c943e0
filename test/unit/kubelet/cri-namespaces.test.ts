// The pod's namespaces as the containerd runtime asks CRI for them (upstream's namespacesForPod
// and the ephemeral container's TARGET), the hostNetwork sandbox's hostname, and the container
// stdin/tty flags kubectl attach and kubectl debug -i rely on.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  containerConfig,
  podNamespaces,
  sandboxConfig,
  type PodContext,
} from '../../../src/kubelet/runtime/cri-config.js';
import type { Pod, PodSpec } from '../../../src/kubelet/runtime/types.js';

const ctx = (dir: string): PodContext => ({
  podDir: join(dir, 'pods', 'u1'),
  cgroupParent: '/k8ts-x/podu1',
  clusterDNS: ['10.43.0.10'],
  clusterDomain: 'cluster.local',
  hostDNS: { servers: ['192.168.1.1'], searches: [], options: [] },
  caCert: '',
  token: '',
});

const podWith = (spec: Partial<PodSpec>): Pod =>
  ({
    metadata: { name: 'p', namespace: 'ns1', uid: 'u1' },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
  }) as Pod;

describe('CRI namespace options', () => {
  it('gives each container its own PID namespace by default, the pod one network and IPC', () => {
    assert.deepEqual(podNamespaces(podWith({})), { network: 'POD', pid: 'CONTAINER', ipc: 'POD' });
  });

  it('shares one PID namespace across the pod with shareProcessNamespace', () => {
    assert.deepEqual(podNamespaces(podWith({ shareProcessNamespace: true })).pid, 'POD');
  });

  it("uses the node's namespaces for hostNetwork, hostPID and hostIPC (kubectl debug node/...)", () => {
    assert.deepEqual(podNamespaces(podWith({ hostNetwork: true, hostPID: true, hostIPC: true })), {
      network: 'NODE',
      pid: 'NODE',
      ipc: 'NODE',
    });
  });

  it("joins an ephemeral container to its target's PID namespace, unless the pod shares one", () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-cri-'));
    try {
      const dbg = {
        name: 'debugger-abcde',
        image: 'busybox',
        targetContainerName: 'c',
        stdin: true,
        tty: true,
      };
      const cfg = containerConfig(
        podWith({}),
        dbg,
        'sha256:1',
        0,
        ctx(dir),
        '10.1.0.5',
        undefined,
        undefined,
        'cid1',
      );
      assert.deepEqual(cfg.linux?.security_context?.namespace_options, {
        network: 'POD',
        pid: 'TARGET',
        ipc: 'POD',
        target_id: 'cid1',
      });
      assert.equal(cfg.stdin, true);
      assert.equal(cfg.tty, true);
      assert.equal(cfg.stdin_once, false);
      const shared = podWith({ shareProcessNamespace: true });
      const cfg2 = containerConfig(
        shared,
        dbg,
        'sha256:1',
        0,
        ctx(dir),
        '10.1.0.5',
        undefined,
        undefined,
        'cid1',
      );
      assert.equal(cfg2.linux?.security_context?.namespace_options?.pid, 'POD');
      // a container without a target, e.g. the pod's own
      const own = containerConfig(podWith({}), { name: 'c', image: 'busybox' }, 'sha256:1', 0, ctx(dir), '');
      assert.equal(own.linux?.security_context?.namespace_options?.pid, 'CONTAINER');
      assert.equal(own.stdin, false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts a privileged ephemeral container for the sandbox (kubectl debug --profile=sysadmin)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-cri-'));
    try {
      const dbg = { name: 'debugger-abcde', image: 'busybox', securityContext: { privileged: true } };
      const before = sandboxConfig(podWith({}), ctx(dir), 0);
      assert.equal(before.linux?.security_context?.privileged, false);
      const after = sandboxConfig(podWith({ ephemeralContainers: [dbg] }), ctx(dir), 0);
      assert.equal(after.linux?.security_context?.privileged, true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("gives a hostNetwork sandbox no hostname (it is the node's)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-cri-'));
    try {
      const sb = sandboxConfig(podWith({ hostNetwork: true, hostPID: true }), ctx(dir), 0);
      assert.equal(sb.hostname, '');
      assert.deepEqual(sb.linux?.security_context?.namespace_options, {
        network: 'NODE',
        pid: 'NODE',
        ipc: 'POD',
      });
      assert.equal(sandboxConfig(podWith({}), ctx(dir), 0).hostname, 'p');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
