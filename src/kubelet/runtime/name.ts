// The runtime names, apart from the runtimes themselves: `k8ts server` decides which runtime its
// agent child gets without loading the CRI client (gRPC) into the API server's process.
import { existsSync } from 'node:fs';

export type RuntimeName = 'sim' | 'containerd';

/** The default: containerd where it is installed and we are root, else sim (upstream-free hosts, CI). */
export function defaultRuntimeName(): RuntimeName {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return root && existsSync('/usr/bin/containerd') ? 'containerd' : 'sim';
}
