// How a pod steers the sim runtime: `sim.k8ts.io/*` annotations (docs/sim-runtime.md). Values
// naming containers take "true" (or "") for every container, else a comma-separated list of
// container names.
import type { Pod, RuntimeContainerStatus } from './types.js';

export const PREFIX = 'sim.k8ts.io/';

export interface Steering {
  /** Seconds from seeing the pod to its sandbox being ready (ContainerCreating). */
  startSeconds: number;
  /** Seconds an init container runs before it exits. */
  initSeconds: number;
  /** Seconds a container that ends runs before it exits; undefined: it only ends if told to. */
  runSeconds: number | undefined;
  /** Seconds containers take to stop after SIGTERM (killed at the grace period's end). */
  terminationSeconds: number;
  exitCode: number;
  fail(container: string): boolean;
  oomKilled(container: string): boolean;
  neverReady(container: string): boolean;
  imagePullError(container: string): boolean;
  /** Whether a container's command ends by itself (Job pods, run-seconds, failures). */
  ends(container: string): boolean;
}

function seconds(v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

function targets(v: string | undefined): (name: string) => boolean {
  if (v === undefined || v === 'false') return () => false;
  if (v === '' || v === 'true') return () => true;
  const names = new Set(v.split(',').map((s) => s.trim()));
  return (name) => names.has(name);
}

const ownedByJob = (pod: Pod) => (pod.metadata.ownerReferences ?? []).some((r) => r.kind === 'Job');

/** `defaults.startSeconds` is the node's default ContainerCreating time. */
export function steeringOf(pod: Pod, defaults: { startSeconds: number; jobRunSeconds: number }): Steering {
  const a = pod.metadata.annotations ?? {};
  const get = (k: string): string | undefined => a[PREFIX + k];
  const fail = targets(get('fail'));
  const crash = targets(get('crash-loop'));
  const oom = targets(get('oom-killed'));
  const explicitRun = get('run-seconds');
  const job = ownedByJob(pod);
  const runSeconds =
    explicitRun !== undefined
      ? seconds(explicitRun, defaults.jobRunSeconds)
      : job
        ? defaults.jobRunSeconds
        : undefined;
  const failing = (c: string) => fail(c) || crash(c);
  return {
    startSeconds: seconds(get('start-seconds'), defaults.startSeconds),
    initSeconds: seconds(get('init-seconds'), 1),
    runSeconds,
    terminationSeconds: seconds(get('termination-seconds'), 0),
    exitCode: Math.trunc(seconds(get('exit-code'), 1)) || 1,
    fail: failing,
    oomKilled: oom,
    neverReady: targets(get('never-ready')),
    imagePullError: targets(get('image-pull-error')),
    ends: (c) => runSeconds !== undefined || failing(c) || oom(c),
  };
}

/** The image as containerd names it: docker.io/library/nginx:latest for `nginx`. */
export function normalizeImage(image: string): string {
  let name = image;
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const hasRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  if (!hasRegistry) name = `docker.io/${slash < 0 ? 'library/' : ''}${name}`;
  const lastPart = name.slice(name.lastIndexOf('/') + 1);
  if (!lastPart.includes(':') && !name.includes('@')) name += ':latest';
  return name;
}

/** A container's status before its first start: waiting for `reason`, nothing run yet. */
export function waitingStatus(
  spec: { name: string; image?: string },
  reason: string,
): RuntimeContainerStatus {
  return {
    name: spec.name,
    image: normalizeImage(spec.image ?? ''),
    imageID: '',
    containerID: '',
    state: { waiting: { reason } },
    lastState: {},
    restartCount: 0,
    started: false,
    ready: false,
  };
}
