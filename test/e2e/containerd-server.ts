// Shared teardown of e2e suites that run `k8ts server` with a containerd node: what the node
// leaves on the host besides its processes (the CNI bridge and IPAM state, the pods' cgroup
// tree) goes with the server and its data dir.
import { join } from 'node:path';
import { removeCgroupTree } from '../../src/kubelet/containerd/cgroups.js';
import { cleanupCniHostState } from '../../src/kubelet/cni/cleanup.js';
import { hostNames } from '../../src/kubelet/runtime/index.js';
import { cleanup, type TestServer } from '../integration/harness.js';

export async function stopContainerdServer(s: TestServer): Promise<void> {
  const names = hostNames(s.dataDir);
  await s.stop();
  await cleanupCniHostState({
    bridge: names.bridge,
    ipamDataDir: join(s.dataDir, 'agent', 'cni', 'networks'),
  });
  removeCgroupTree(names.cgroupRoot);
  cleanup(s);
}
