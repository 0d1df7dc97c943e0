// hostPath volumes' `type`, checked before the pod's containers start, as upstream's hostPath
// plugin does in SetUp: Directory/File/Socket/CharDevice/BlockDevice must already be that kind
// of file; DirectoryOrCreate makes a 0755 directory and FileOrCreate an empty 0644 file when
// nothing is there; "" checks nothing. A failure is a FailedMount event and the pod waits.
import { closeSync, mkdirSync, openSync, statSync, type Stats } from 'node:fs';

const KINDS: Record<string, { is: (s: Stats) => boolean; what: string }> = {
  Directory: { is: (s) => s.isDirectory(), what: 'a directory' },
  File: { is: (s) => s.isFile(), what: 'a file' },
  Socket: { is: (s) => s.isSocket(), what: 'a socket file' },
  CharDevice: { is: (s) => s.isCharacterDevice(), what: 'a character device' },
  BlockDevice: { is: (s) => s.isBlockDevice(), what: 'a block device' },
};

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** The SetUp error for a hostPath of this type, undefined when it passes (after any create). */
export function checkHostPathType(path: string, type = ''): string | undefined {
  let kind = type;
  if (type === 'DirectoryOrCreate' || type === 'FileOrCreate') {
    if (!statOf(path)) {
      try {
        if (type === 'DirectoryOrCreate') mkdirSync(path, { recursive: true, mode: 0o755 });
        else closeSync(openSync(path, 'a', 0o644));
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    }
    kind = type === 'DirectoryOrCreate' ? 'Directory' : 'File';
  }
  const check = KINDS[kind];
  if (!check) return undefined;
  const st = statOf(path);
  return st && check.is(st) ? undefined : `hostPath type check failed: ${path} is not ${check.what}`;
}
