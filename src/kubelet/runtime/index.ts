// Which runtime a kubelet runs pods with. `containerd` (CRI over gRPC) plugs in here when it
// exists; until then asking for it falls back to `sim` with the reason logged.
import { existsSync } from 'node:fs';
import { SimRuntime, type SimRuntimeOptions } from './sim.js';
import type { PodRuntime } from './types.js';

export type RuntimeName = 'sim' | 'containerd';

export interface RuntimeChoice {
  runtime: PodRuntime;
  /** Why the runtime differs from the one asked for (logged by the caller), if it does. */
  fallbackReason?: string;
}

/** The default: containerd where it is installed and we are root, else sim (upstream-free hosts, CI). */
export function defaultRuntimeName(): RuntimeName {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return root && existsSync('/usr/bin/containerd') ? 'containerd' : 'sim';
}

export function createRuntime(name: RuntimeName, sim: SimRuntimeOptions = {}): RuntimeChoice {
  if (name === 'containerd')
    return {
      runtime: new SimRuntime(sim),
      fallbackReason:
        'the containerd runtime is not part of this build yet; running pods with the sim runtime',
    };
  return { runtime: new SimRuntime(sim) };
}
