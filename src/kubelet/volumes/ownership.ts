// upstream's volume.SetVolumeOwnership (pkg/volume/volume_linux.go): with the pod's fsGroup,
// every file and directory of a volume gets that group; files gain group read (read-only
// volumes: configMap, secret, downwardAPI, projected) or read-write (emptyDir), directories
// also group execute and setgid, so that what the containers create inherits the group.
// fsGroupChangePolicy OnRootMismatch skips the walk when the volume's root already fits.
import { chmodSync, lchownSync, lstatSync, readdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';

const RW_MASK = 0o660;
const RO_MASK = 0o440;
const EXEC_MASK = 0o110;
const SETGID = 0o2000;

export interface OwnershipOptions {
  fsGroup?: number;
  readOnly: boolean;
  policy?: 'Always' | 'OnRootMismatch';
}

function wanted(st: Stats, readOnly: boolean): number {
  const mask = (readOnly ? RO_MASK : RW_MASK) | (st.isDirectory() ? SETGID | EXEC_MASK : 0);
  return (st.mode & 0o7777) | mask;
}

function fix(path: string, fsGroup: number, readOnly: boolean): void {
  const st = lstatSync(path);
  if (st.gid !== fsGroup) lchownSync(path, -1, fsGroup);
  if (st.isSymbolicLink()) return; // chmod would follow it
  const mode = wanted(st, readOnly);
  if ((st.mode & 0o7777) !== mode) chmodSync(path, mode);
  if (st.isDirectory()) for (const name of readdirSync(path)) fix(join(path, name), fsGroup, readOnly);
}

/** Applies the pod's fsGroup to the volume at `dir` (nothing without an fsGroup). */
export function setVolumeOwnership(dir: string, o: OwnershipOptions): void {
  if (o.fsGroup === undefined) return;
  if (o.policy === 'OnRootMismatch') {
    const st = lstatSync(dir);
    if (st.gid === o.fsGroup && (st.mode & 0o7777) === wanted(st, o.readOnly)) return;
  }
  fix(dir, o.fsGroup, o.readOnly);
}
