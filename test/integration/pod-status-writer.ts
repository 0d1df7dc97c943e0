// Plays the kubelet's part in workload tests until simulated nodes exist: writes pod status
// through the API (phase, Ready condition) the way a kubelet reports it, and polls for state.
import type { TestServer } from './harness.js';

export interface PodView {
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
    deletionTimestamp?: string;
    creationTimestamp?: string;
    generateName?: string;
    finalizers?: string[];
  };
  spec: { nodeName?: string; hostname?: string; subdomain?: string; [k: string]: unknown };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

export async function listPods(s: TestServer, ns: string, selector = ''): Promise<PodView[]> {
  const q = selector ? `?labelSelector=${encodeURIComponent(selector)}` : '';
  const r = await s.api('GET', `/api/v1/namespaces/${ns}/pods${q}`);
  if (r.status !== 200) throw new Error(`list pods: ${r.status} ${r.body}`);
  return (JSON.parse(r.body) as { items: PodView[] }).items;
}

/** Pods not being deleted. */
export async function livePods(s: TestServer, ns: string, selector = ''): Promise<PodView[]> {
  return (await listPods(s, ns, selector)).filter((p) => !p.metadata.deletionTimestamp);
}

/** Writes a Running/Ready (or not ready) status the way a kubelet would. */
export async function writePodStatus(
  s: TestServer,
  ns: string,
  name: string,
  opts: { phase?: string; ready?: boolean; readySince?: Date; extra?: Record<string, unknown> } = {},
): Promise<void> {
  const stamp = (opts.readySince ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z');
  const ready = opts.ready ?? true;
  const status = {
    phase: opts.phase ?? 'Running',
    conditions: [
      { type: 'Initialized', status: 'True', lastTransitionTime: stamp },
      { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: stamp },
      { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: stamp },
      { type: 'PodScheduled', status: 'True', lastTransitionTime: stamp },
    ],
    startTime: stamp,
    ...opts.extra,
  };
  const r = await s.api('PATCH', `/api/v1/namespaces/${ns}/pods/${name}/status`, JSON.stringify({ status }), {
    'Content-Type': 'application/merge-patch+json',
  });
  if (r.status !== 200) throw new Error(`status of pod ${name}: ${r.status} ${r.body}`);
}

/** Marks every live pod matching `selector` Running and Ready. */
export async function markPodsReady(s: TestServer, ns: string, selector = ''): Promise<string[]> {
  const pods = await livePods(s, ns, selector);
  for (const p of pods) await writePodStatus(s, ns, p.metadata.name);
  return pods.map((p) => p.metadata.name);
}

/** Polls `probe` until it returns a value that is not undefined, or fails after `seconds`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  seconds = 20,
): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/**
 * Keeps marking every new pod of `ns` Running and Ready (a kubelet that starts everything at
 * once), until the returned function is called.
 */
export function keepPodsReady(s: TestServer, ns: string, selector = ''): () => Promise<void> {
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      try {
        for (const p of await livePods(s, ns, selector)) {
          const ready = p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
          if (!ready) await writePodStatus(s, ns, p.metadata.name).catch(() => undefined);
        }
      } catch {
        // the server may be going away at the end of a test
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return async () => {
    stopped = true;
    await done;
  };
}
