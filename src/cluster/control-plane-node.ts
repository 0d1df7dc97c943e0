// The role labels of the server's own node. NodeRestriction does not let a kubelet set
// node-role.kubernetes.io/* labels on its Node (upstream's kubelet refuses them in --node-labels),
// so, as k3s's server does once its node registered, the server labels it with its own client:
// node-role.kubernetes.io/control-plane=true and node-role.kubernetes.io/master=true.
import { StatusError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import type { RestClient } from '../client/rest.js';
import { logger } from '../util/log.js';

export const CONTROL_PLANE_LABELS: Record<string, string> = {
  'node-role.kubernetes.io/control-plane': 'true',
  'node-role.kubernetes.io/master': 'true',
};

/** Waits for the Node `name`, labels it once (when a label is missing); stop() ends the wait. */
export function labelControlPlaneNode(
  client: RestClient,
  name: string,
  pollMs = 1000,
): { done: Promise<void>; stop(): void } {
  const log = logger('server');
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const sleep = () =>
    new Promise<void>((r) => {
      wake = r;
      timer = setTimeout(r, pollMs);
    });
  const done = (async () => {
    while (!stopped) {
      try {
        const node = await client.request<KubeObject>('GET', `/api/v1/nodes/${encodeURIComponent(name)}`);
        const labels = node.metadata.labels ?? {};
        const missing = Object.entries(CONTROL_PLANE_LABELS).filter(([k, v]) => labels[k] !== v);
        if (missing.length)
          await client.request(
            'PATCH',
            `/api/v1/nodes/${encodeURIComponent(name)}`,
            { metadata: { labels: Object.fromEntries(missing) } },
            'application/merge-patch+json',
          );
        return;
      } catch (err) {
        // not registered yet (404), or the API server is still starting
        if (!(err instanceof StatusError && err.code === 404))
          log.debug('labelling the control-plane node', { node: name, error: String(err) });
      }
      await sleep();
    }
  })();
  return {
    done,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      wake?.();
    },
  };
}
