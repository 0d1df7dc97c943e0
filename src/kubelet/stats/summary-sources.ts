// What the summary API reads besides the CRI: /proc (CPU, memory, network, processes, boot
// time), statfs (capacity and free space of a filesystem) and a du-like walk (bytes and inodes
// a directory uses).
import { lstatSync, readdirSync, readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';

/** stats/v1alpha1 FsStats. */
export interface FsStats {
  time: string;
  availableBytes?: number;
  capacityBytes?: number;
  usedBytes?: number;
  inodesFree?: number;
  inodes?: number;
  inodesUsed?: number;
}

/** stats/v1alpha1 InterfaceStats. */
export interface InterfaceStats {
  name: string;
  rxBytes: number;
  rxErrors: number;
  txBytes: number;
  txErrors: number;
}

/** metav1.Time's JSON: RFC 3339, whole seconds. */
export const apiTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** The filesystem holding `path`: capacity, available and used bytes, inodes. */
export function filesystem(path: string, now: number): FsStats {
  const s = statfsSync(path);
  return {
    time: apiTime(now),
    availableBytes: s.bavail * s.bsize,
    capacityBytes: s.blocks * s.bsize,
    usedBytes: (s.blocks - s.bfree) * s.bsize,
    inodesFree: s.ffree,
    inodes: s.files,
    inodesUsed: s.files - s.ffree,
  };
}

/** Bytes on disk and inodes used below `dir` (as upstream's `du` and `find` on the volume). */
export function diskUsage(dir: string): { bytes: number; inodes: number } {
  let bytes = 0;
  let inodes = 0;
  const walk = (p: string) => {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      return; // removed meanwhile
    }
    bytes += st.blocks * 512;
    inodes++;
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
  };
  walk(dir);
  return { bytes, inodes };
}

/** A directory's usage on its filesystem: capacity and free from statfs, used from the walk. */
export function directoryFs(dir: string, now: number): FsStats {
  const fs = filesystem(dir, now);
  const used = diskUsage(dir);
  return { ...fs, usedBytes: used.bytes, inodesUsed: used.inodes };
}

/** /proc/<pid>/net/dev (or the agent's own): every interface but lo. */
export function interfaces(netDev: string): InterfaceStats[] {
  return netDev
    .split('\n')
    .slice(2)
    .map((l) => /^\s*([^:]+):\s*(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => !!m && m[1] !== 'lo')
    .map((m) => {
      const f = m[2].trim().split(/\s+/).map(Number);
      return { name: m[1], rxBytes: f[0], rxErrors: f[2], txBytes: f[8], txErrors: f[10] };
    });
}

/** The interface of the default route (/proc/net/route), the node's `network.name`. */
export function defaultInterface(route: string): string | undefined {
  return route
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f[1] === '00000000')?.[0];
}

/** Total, available and free memory from /proc/meminfo, in bytes. */
export function meminfo(text: string): { total: number; available: number; free: number } {
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { total: kb('MemTotal'), available: kb('MemAvailable'), free: kb('MemFree') };
}

/** The node's process limits: pid_max and how many processes run now. */
export function rlimit(now: number): { time: string; maxpid: number; curproc: number } {
  const maxpid = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim());
  const curproc = readdirSync('/proc').filter((e) => /^\d+$/.test(e)).length;
  return { time: apiTime(now), maxpid, curproc };
}

/** When the node booted (now minus /proc/uptime). */
export function bootTime(now: number): string {
  const up = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return apiTime(now - up * 1000);
}
