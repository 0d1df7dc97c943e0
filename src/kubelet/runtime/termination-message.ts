// A container's termination message, as upstream's kubelet captures it: the kubelet bind-mounts
// an empty host file at the container's terminationMessagePath, records the path and the policy
// in CRI annotations, and once the container exited reads the file's last 4096 bytes; with
// FallbackToLogsOnError, a failed container with an empty file gets the tail of its log instead
// (the last 80 lines, at most 2048 bytes of them).
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { ContainerStatus, Mount } from '../../cri/types.js';

export const PATH_ANNOTATION = 'io.kubernetes.container.terminationMessagePath';
export const POLICY_ANNOTATION = 'io.kubernetes.container.terminationMessagePolicy';
/** Upstream's MaxContainerTerminationMessageLength. */
export const MAX_MESSAGE_BYTES = 4096;
/** Upstream's MaxContainerTerminationMessageLogLines / ...LogLength. */
export const MAX_LOG_LINES = 80;
export const MAX_LOG_BYTES = 2048;

interface MessageSpec {
  name: string;
  terminationMessagePath?: string;
  terminationMessagePolicy?: string;
}

/**
 * The mount and annotations of one container attempt: a fresh empty file under the pod's
 * directory (world-writable, so a non-root container can write it, as upstream's 0666).
 */
export function terminationMessageMount(
  podDir: string,
  c: MessageSpec,
  attempt: number,
): { mounts: Mount[]; annotations: Record<string, string> } {
  const containerPath = c.terminationMessagePath || '/dev/termination-log';
  const annotations = {
    [PATH_ANNOTATION]: containerPath,
    [POLICY_ANNOTATION]: c.terminationMessagePolicy || 'File',
  };
  const dir = join(podDir, 'containers', c.name);
  mkdirSync(dir, { recursive: true });
  const hostPath = join(dir, `termination-log-${attempt}`);
  writeFileSync(hostPath, '');
  chmodSync(hostPath, 0o666);
  return { mounts: [{ container_path: containerPath, host_path: hostPath, readonly: false }], annotations };
}

/** The last `max` bytes of a file. */
function readTail(path: string, max: number): Buffer {
  const size = statSync(path).size;
  const len = Math.min(size, max);
  const buf = Buffer.alloc(len);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, len, size - len);
  } finally {
    closeSync(fd);
  }
  return buf;
}

/**
 * The log's content (CRI format: `<time> <stream> <P|F> <text>`, P lines continue on the next)
 * from its last 80 lines, at most 2048 bytes.
 */
export function logTail(path: string): string {
  if (!path || !existsSync(path)) return '';
  const lines: string[] = [];
  let partial = '';
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const m = /^\S+ (?:stdout|stderr) ([PF]) ?(.*)$/.exec(raw);
    if (!m) continue;
    if (m[1] === 'P') {
      partial += m[2];
      continue;
    }
    lines.push(partial + m[2] + '\n');
    partial = '';
  }
  const text = lines.slice(-MAX_LOG_LINES).join('');
  return Buffer.from(text).subarray(0, MAX_LOG_BYTES).toString('utf8');
}

/** The message of an exited container, '' when it left none. */
export function terminationMessage(cs: ContainerStatus): string {
  const annotations = cs.annotations ?? {};
  const path = annotations[PATH_ANNOTATION];
  const fallback =
    annotations[POLICY_ANNOTATION] === 'FallbackToLogsOnError' &&
    cs.exit_code !== 0 &&
    cs.reason !== 'ContainerCannotRun';
  let message = '';
  const mount = path ? (cs.mounts ?? []).find((m) => m.container_path === path) : undefined;
  if (mount?.host_path) {
    try {
      message = readTail(mount.host_path, MAX_MESSAGE_BYTES).toString('utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        return `Error on reading termination log ${mount.host_path}: ${(err as Error).message}`;
    }
  }
  if (fallback && message.length === 0) message = logTail(cs.log_path);
  return message;
}
