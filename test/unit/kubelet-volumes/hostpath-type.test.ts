// hostPath `type` checks (seed 004 §2.2.5, 003 "Hostpath"): what a FailedMount event says, and
// what the *OrCreate types make.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHostPathType } from '../../../src/kubelet/volumes/hostpath-type.js';

describe('hostPath type checks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-hostpath-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'f');
  writeFileSync(file, 'x');

  it('Directory must exist as a directory', () => {
    assert.equal(checkHostPathType(dir, 'Directory'), undefined);
    assert.equal(
      checkHostPathType(join(dir, 'missing'), 'Directory'),
      `hostPath type check failed: ${join(dir, 'missing')} is not a directory`,
    );
    assert.equal(
      checkHostPathType(file, 'Directory'),
      `hostPath type check failed: ${file} is not a directory`,
    );
  });

  it('File, Socket, CharDevice, BlockDevice name the kind they wanted', () => {
    assert.equal(checkHostPathType(file, 'File'), undefined);
    assert.equal(checkHostPathType(dir, 'File'), `hostPath type check failed: ${dir} is not a file`);
    assert.equal(
      checkHostPathType(file, 'Socket'),
      `hostPath type check failed: ${file} is not a socket file`,
    );
    assert.equal(checkHostPathType('/dev/null', 'CharDevice'), undefined);
    assert.equal(
      checkHostPathType(file, 'CharDevice'),
      `hostPath type check failed: ${file} is not a character device`,
    );
    assert.equal(
      checkHostPathType(file, 'BlockDevice'),
      `hostPath type check failed: ${file} is not a block device`,
    );
  });

  it('DirectoryOrCreate makes a 0755 directory, FileOrCreate an empty file; a wrong kind still fails', () => {
    const d = join(dir, 'made', 'deep');
    assert.equal(checkHostPathType(d, 'DirectoryOrCreate'), undefined);
    assert.ok(statSync(d).isDirectory());
    const f = join(dir, 'made', 'file');
    assert.equal(checkHostPathType(f, 'FileOrCreate'), undefined);
    assert.equal(statSync(f).size, 0);
    assert.equal(
      checkHostPathType(file, 'DirectoryOrCreate'),
      `hostPath type check failed: ${file} is not a directory`,
    );
    assert.equal(checkHostPathType(dir, 'FileOrCreate'), `hostPath type check failed: ${dir} is not a file`);
  });

  it('no type checks nothing', () => {
    assert.equal(checkHostPathType(join(dir, 'nothing-here')), undefined);
    assert.equal(checkHostPathType(join(dir, 'nothing-here'), ''), undefined);
  });
});
