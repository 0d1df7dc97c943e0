// The image registry.k8s.io/cpa/cluster-proportional-autoscaler:1.8.4 (seed 004 §3.20's
// kube-dns-autoscaler), built offline like k8ts.io/coredns: node, the modules of
// `k8ts cluster-proportional-autoscaler`, and /cluster-proportional-autoscaler — the path the
// upstream manifest's `command` names — a node script that starts them.
import { makeLayer, type ImageRuntimeConfig, type Layer } from './layout.js';

export const CPA_IMAGE = 'registry.k8s.io/cpa/cluster-proportional-autoscaler:1.8.4';
export const CPA_ENTRY = ['src', 'cpa', 'cmd.js'];
const LAUNCHER = 'cluster-proportional-autoscaler';

/** /cluster-proportional-autoscaler: CommonJS (no package.json at /) importing the ESM entry. */
export function cpaLauncherLayer(): Layer {
  const script = `#!/usr/bin/node\nimport('/k8ts/dist/${CPA_ENTRY.join('/')}');\n`;
  return makeLayer([{ type: 'file', path: LAUNCHER, data: Buffer.from(script), mode: 0o755 }]);
}

export function cpaImageConfig(): ImageRuntimeConfig {
  return {
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    Entrypoint: [`/${LAUNCHER}`],
  };
}
