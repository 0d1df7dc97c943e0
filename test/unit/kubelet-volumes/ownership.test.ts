// The fsGroup walk (upstream's SetVolumeOwnership) on temp directories: group, setgid
// directories, group rw/ro masks, symlinks untouched, OnRootMismatch vs Always; and which
// persistent volumes get it (local: yes, hostPath: no, readOnly claims: no). chown to another
// group needs root, so those cases are skipped otherwise.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../../src/api/types.js';
import { setVolumeOwnership } from '../../../src/kubelet/volumes/ownership.js';
import { PodVolumes } from '../../../src/kubelet/volumes/manager.js';
import type { Pod } from '../../../src/kubelet/runtime/types.js';

const root = process.getuid?.() === 0;
const GID = 2345;
const perm = (p: string) => lstatSync(p).mode & 0o7777;

function tree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'own-'));
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'sub'), { mode: 0o700 });
  chmodSync(join(dir, 'sub'), 0o700);
  writeFileSync(join(dir, 'sub', 'data'), 'x', { mode: 0o600 });
  chmodSync(join(dir, 'sub', 'data'), 0o600);
  writeFileSync(join(dir, 'top'), 'y');
  chmodSync(join(dir, 'top'), 0o604);
  symlinkSync('/etc/hostname', join(dir, 'link'));
  return dir;
}

describe('volume ownership (fsGroup)', () => {
  it('without an fsGroup nothing changes', () => {
    const dir = tree();
    try {
      setVolumeOwnership(dir, { readOnly: false });
      assert.equal(perm(join(dir, 'sub')), 0o700);
      assert.equal(perm(join(dir, 'sub', 'data')), 0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(
    'read-write: every entry gets the group; dirs 2770-style (g+rwxs), files g+rw; symlink targets untouched',
    { skip: !root },
    () => {
      const dir = tree();
      const target = statSync('/etc/hostname');
      try {
        setVolumeOwnership(dir, { fsGroup: GID, readOnly: false });
        for (const p of [
          dir,
          join(dir, 'sub'),
          join(dir, 'sub', 'data'),
          join(dir, 'top'),
          join(dir, 'link'),
        ])
          assert.equal(lstatSync(p).gid, GID, p);
        assert.equal(perm(dir), 0o2775);
        assert.equal(perm(join(dir, 'sub')), 0o2770);
        assert.equal(perm(join(dir, 'sub', 'data')), 0o660);
        assert.equal(perm(join(dir, 'top')), 0o664);
        const after = statSync('/etc/hostname');
        assert.equal(after.gid, target.gid, 'the walk does not follow symlinks');
        assert.equal(after.mode, target.mode);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('read-only: files g+r, directories g+rx and setgid', { skip: !root }, () => {
    const dir = tree();
    try {
      setVolumeOwnership(dir, { fsGroup: GID, readOnly: true });
      assert.equal(perm(join(dir, 'sub')), 0o2750);
      assert.equal(perm(join(dir, 'sub', 'data')), 0o640);
      assert.equal(perm(join(dir, 'top')), 0o644);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('OnRootMismatch skips the walk when the root already fits; Always walks anyway', { skip: !root }, () => {
    const dir = tree();
    try {
      chownSync(dir, 0, GID);
      chmodSync(dir, 0o2775);
      setVolumeOwnership(dir, { fsGroup: GID, readOnly: false, policy: 'OnRootMismatch' });
      assert.equal(lstatSync(join(dir, 'sub', 'data')).gid, 0, 'root matched: children untouched');
      assert.equal(perm(join(dir, 'sub')), 0o700);
      setVolumeOwnership(dir, { fsGroup: GID, readOnly: false, policy: 'Always' });
      assert.equal(lstatSync(join(dir, 'sub', 'data')).gid, GID);
      // a root whose group matches but lacks setgid is a mismatch
      chownSync(join(dir, 'top'), 0, 0);
      chmodSync(dir, 0o775);
      setVolumeOwnership(dir, { fsGroup: GID, readOnly: false, policy: 'OnRootMismatch' });
      assert.equal(lstatSync(join(dir, 'top')).gid, GID);
      assert.equal(perm(dir), 0o2775);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('persistent volumes and fsGroup', () => {
  const claim = (name: string, volumeName: string) =>
    ({
      metadata: { name, namespace: 'ns1' },
      spec: { volumeName },
      status: { phase: 'Bound' },
    }) as unknown as KubeObject;

  it(
    'a local PV gets the fsGroup; a hostPath PV (local-path) and a readOnly claim do not',
    { skip: !root },
    async () => {
      const base = mkdtempSync(join(tmpdir(), 'pvown-'));
      try {
        const dirs = { local: join(base, 'local'), host: join(base, 'host'), ro: join(base, 'ro') };
        for (const d of Object.values(dirs)) {
          mkdirSync(d);
          chmodSync(d, 0o755);
        }
        const objects: Record<string, KubeObject> = {
          'persistentvolumeclaims/c-local': claim('c-local', 'pv-local'),
          'persistentvolumeclaims/c-host': claim('c-host', 'pv-host'),
          'persistentvolumeclaims/c-ro': claim('c-ro', 'pv-ro'),
          'persistentvolumes/pv-local': { spec: { local: { path: dirs.local } } } as unknown as KubeObject,
          'persistentvolumes/pv-host': {
            spec: { hostPath: { path: dirs.host, type: 'Directory' } },
          } as unknown as KubeObject,
          'persistentvolumes/pv-ro': { spec: { local: { path: dirs.ro } } } as unknown as KubeObject,
        };
        const pod = {
          metadata: { name: 'p', namespace: 'ns1', uid: 'u1' },
          spec: {
            securityContext: { fsGroup: GID },
            containers: [{ name: 'c', image: 'busybox' }],
            volumes: [
              { name: 'a', persistentVolumeClaim: { claimName: 'c-local' } },
              { name: 'b', persistentVolumeClaim: { claimName: 'c-host' } },
              { name: 'c', persistentVolumeClaim: { claimName: 'c-ro', readOnly: true } },
            ],
          },
        } as unknown as Pod;
        const claimPaths = new Map<string, string>();
        const v = new PodVolumes(pod, join(base, 'pod'), {
          getObject: async (r, _ns, n) => objects[`${r}/${n}`],
          event: () => undefined,
          podIP: () => undefined,
          claimPaths,
        });
        assert.equal(await v.ensure(0), true);
        assert.deepEqual(
          [...claimPaths],
          [
            ['a', dirs.local],
            ['b', dirs.host],
            ['c', dirs.ro],
          ],
        );
        assert.equal(lstatSync(dirs.local).gid, GID);
        assert.equal(perm(dirs.local), 0o2775);
        assert.equal(lstatSync(dirs.host).gid, 0, 'hostPath: upstream does not manage ownership');
        assert.equal(perm(dirs.host), 0o755);
        assert.equal(lstatSync(dirs.ro).gid, 0, 'read-only local mount: untouched');
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    },
  );
});
