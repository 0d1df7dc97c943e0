// Memory-backed volumes, as upstream's emptyDir plugin: emptyDir with medium Memory, and the
// secret, downwardAPI and projected volumes (whose wrapped emptyDir is memory-backed, so that
// secrets never reach the node's disk), are tmpfs mounts on the volume's directory. Their size
// is upstream's calculateEmptyDirMemorySize (SizeMemoryBackedVolumes, on by default in 1.31):
// the node's allocatable memory, lowered to the pod's memory limit when it has one, lowered to
// the volume's sizeLimit when that is smaller.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { quantityValue, tryParseQuantity } from '../../api/quantity.js';
import type { Pod } from '../runtime/types.js';

interface Resources {
  resources?: { limits?: Record<string, string> };
}

const bytes = (q: string | undefined): bigint | undefined => {
  const parsed = q === undefined ? undefined : tryParseQuantity(q);
  return parsed ? quantityValue(parsed) : undefined;
};

/**
 * The pod's memory limit as its cgroup gets it (upstream's ResourceConfigForPod): the sum over
 * the containers, at least the largest init container's, and none unless every container has one.
 */
export function podMemoryLimit(pod: Pod): bigint | undefined {
  const limit = (c: unknown) => bytes((c as Resources).resources?.limits?.memory);
  const main = pod.spec.containers.map(limit);
  if (main.some((l) => l === undefined)) return undefined;
  const init = (pod.spec.initContainers ?? []).map(limit);
  if (init.some((l) => l === undefined)) return undefined;
  const sum = (main as bigint[]).reduce((a, b) => a + b, 0n);
  return (init as bigint[]).reduce((a, b) => (b > a ? b : a), sum);
}

/** The tmpfs size of a memory-backed volume, in bytes. */
export function memoryVolumeSize(pod: Pod, sizeLimit?: string, allocatable = BigInt(totalmem())): bigint {
  let size = allocatable;
  const podLimit = podMemoryLimit(pod);
  if (podLimit !== undefined && podLimit > 0n && podLimit <= size) size = podLimit;
  const volumeLimit = bytes(sizeLimit);
  if (volumeLimit !== undefined && volumeLimit > 0n && volumeLimit <= size) size = volumeLimit;
  return size;
}

/** Mount points at or under `prefix`, deepest first (from /proc/self/mountinfo). */
export function mountsUnder(prefix: string): string[] {
  const unescape = (s: string) =>
    s.replace(/\\(\d{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => unescape(l.split(' ')[4] ?? ''))
    .filter((m) => m === prefix || m.startsWith(`${prefix}/`))
    .sort((a, b) => b.length - a.length);
}

/** Mounts a tmpfs of `size` bytes on `dir` unless one is there already; true when it mounted. */
export function ensureTmpfs(dir: string, size: bigint): boolean {
  if (mountsUnder(dir).includes(dir)) return false;
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  return true;
}

/** Unmounts every mount under `dir` (before the pod's directory is removed). */
export function unmountAll(dir: string): void {
  for (const m of mountsUnder(dir)) execFileSync('umount', [m], { stdio: 'pipe' });
}
