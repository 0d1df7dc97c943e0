// Shared teardown of e2e suites that run `k8ts server` with a containerd node: what the node
// leaves on the host besides its processes (containers still running, the CNI bridge and IPAM
// state, the pods' cgroup tree, the VXLAN device) goes with the server and its data dir. Pods
// outlive their node's processes on purpose (an agent restart adopts them), so a test that is
// done with the node must take them down itself.
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cgroupTreeProcesses, removeCgroupTree } from '../../src/kubelet/containerd/cgroups.js';
import { VXLAN_DEVICE } from '../../src/flannel/table.js';
import { cleanupCniHostState } from '../../src/kubelet/cni/cleanup.js';
import { hostNames } from '../../src/kubelet/runtime/index.js';
import { cleanup, type TestServer } from '../integration/harness.js';

export async function stopContainerdServer(s: TestServer): Promise<void> {
  const names = hostNames(s.dataDir);
  await s.stop();
  for (let i = 0; i < 20; i++) {
    const left = cgroupTreeProcesses(names.cgroupRoot);
    if (!left.length) break;
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // the shims of those containers wait for a containerd that is gone
  const socket = join(s.dataDir, 'agent', 'containerd', 'containerd.sock');
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes('containerd-shim') && cmd.includes(socket)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  try {
    execFileSync('ip', ['link', 'del', VXLAN_DEVICE], { stdio: 'ignore' });
  } catch {
    // none on this host (or the node ran in a namespace of its own)
  }
  await cleanupCniHostState({
    bridge: names.bridge,
    ipamDataDir: join(s.dataDir, 'agent', 'cni', 'networks'),
  });
  removeCgroupTree(names.cgroupRoot);
  cleanup(s);
}
