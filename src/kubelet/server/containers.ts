// Which container a log or exec request means, with upstream kubelet's error texts
// (pkg/kubelet/kubelet_pods.go validateContainerLogStatus, GetExec/GetAttach).
import type { RuntimeContainerStatus, RuntimePodStatus } from '../runtime/types.js';

export class ContainerLookupError extends Error {}

function statusOf(st: RuntimePodStatus | undefined, name: string): RuntimeContainerStatus | undefined {
  return (
    st?.containers.find((c) => c.name === name) ??
    st?.initContainers.find((c) => c.name === name) ??
    st?.ephemeralContainers?.find((c) => c.name === name)
  );
}

/** The containerID whose log `kubectl logs [--previous]` reads, or upstream's reason why there is none. */
export function logContainerID(
  st: RuntimePodStatus | undefined,
  podName: string,
  containerName: string,
  previous: boolean,
): string {
  const c = statusOf(st, containerName);
  const q = (s: string) => JSON.stringify(s);
  if (!c)
    throw new ContainerLookupError(`container ${q(containerName)} in pod ${q(podName)} is not available`);
  const last = c.lastState.terminated;
  const { waiting, running, terminated } = c.state;
  if (previous) {
    if (!last?.containerID)
      throw new ContainerLookupError(
        `previous terminated container ${q(containerName)} in pod ${q(podName)} not found`,
      );
    return last.containerID;
  }
  if (running) return c.containerID;
  if (terminated) {
    if (terminated.containerID) return terminated.containerID;
    if (last?.containerID) return last.containerID;
    throw new ContainerLookupError(`container ${q(containerName)} in pod ${q(podName)} is terminated`);
  }
  if (last) {
    if (!last.containerID)
      throw new ContainerLookupError(`container ${q(containerName)} in pod ${q(podName)} is terminated`);
    return last.containerID;
  }
  if (waiting) {
    const why =
      waiting.reason === 'ErrImagePull'
        ? "image can't be pulled"
        : waiting.reason === 'ImagePullBackOff'
          ? 'trying and failing to pull image'
          : waiting.reason;
    throw new ContainerLookupError(
      `container ${q(containerName)} in pod ${q(podName)} is waiting to start: ${why}`,
    );
  }
  throw new ContainerLookupError(
    `container ${q(containerName)} in pod ${q(podName)} is waiting to start - no logs yet`,
  );
}

/** The running container an exec or attach joins; upstream's `container not found ("x")` otherwise. */
export function runningContainerID(st: RuntimePodStatus | undefined, containerName: string): string {
  const c = statusOf(st, containerName);
  if (!c?.state.running || !c.containerID)
    throw new ContainerLookupError(`container not found (${JSON.stringify(containerName)})`);
  return c.containerID;
}
