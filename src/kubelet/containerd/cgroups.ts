// cgroupfs helpers: containerd (cgroupfs driver) creates the cgroup_parent directories the
// kubelet names, in every v1 hierarchy and in the unified one, and never removes them.
import { existsSync, readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const CGROUP_ROOT = '/sys/fs/cgroup';

/** Every mounted hierarchy: /sys/fs/cgroup itself on pure cgroup2, else its subdirectories. */
export function cgroupHierarchies(root = CGROUP_ROOT): string[] {
  if (existsSync(join(root, 'cgroup.controllers'))) return [root];
  return readdirSync(root)
    .map((d) => join(root, d))
    .filter((d) => {
      try {
        return statSync(d).isDirectory() && existsSync(join(d, 'cgroup.procs'));
      } catch {
        return false;
      }
    });
}

/** Removes a cgroup subtree (depth first) in every hierarchy; returns what could not go (busy). */
export function removeCgroupTree(parent: string, root = CGROUP_ROOT): string[] {
  const left: string[] = [];
  const rel = parent.replace(/^\/+/, '');
  if (!rel) throw new Error('refusing to remove the root cgroup');
  const rm = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) rm(join(dir, e.name));
    try {
      rmdirSync(dir);
    } catch {
      left.push(dir);
    }
  };
  for (const h of cgroupHierarchies(root)) {
    const dir = join(h, rel);
    if (existsSync(dir)) rm(dir);
  }
  return left;
}

/** The processes left in a cgroup subtree, in any hierarchy (containers whose shims are gone). */
export function cgroupTreeProcesses(parent: string, root = CGROUP_ROOT): number[] {
  const rel = parent.replace(/^\/+/, '');
  if (!rel) throw new Error('refusing to list the root cgroup');
  const pids = new Set<number>();
  const walk = (dir: string) => {
    try {
      for (const line of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n'))
        if (line) pids.add(Number(line));
      for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(join(dir, e.name));
    } catch {
      // gone meanwhile
    }
  };
  for (const h of cgroupHierarchies(root)) {
    const dir = join(h, rel);
    if (existsSync(dir)) walk(dir);
  }
  return [...pids];
}

/** Directories of the subtree that still exist, for leak checks. */
export function cgroupTreeExists(parent: string, root = CGROUP_ROOT): string[] {
  const rel = parent.replace(/^\/+/, '');
  return cgroupHierarchies(root)
    .map((h) => join(h, rel))
    .filter((d) => existsSync(d));
}
