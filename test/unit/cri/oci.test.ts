import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { readTar, writeTar } from '../../../src/kubelet/containerd/oci/tar.js';
import {
  buildImageLayout,
  makeLayer,
  normalizeImageName,
  sha256,
} from '../../../src/kubelet/containerd/oci/layout.js';

function hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

describe('tar writer', () => {
  it('round-trips files, directories and symlinks with their modes; output is a multiple of 512', () => {
    const tar = writeTar([
      { type: 'dir', path: 'bin' },
      { type: 'file', path: '/bin/busybox', data: Buffer.from('ELF...'), mode: 0o755 },
      { type: 'symlink', path: 'bin/sh', target: '/bin/busybox' },
    ]);
    assert.equal(tar.length % 512, 0);
    const entries = readTar(tar);
    assert.deepEqual(
      entries.map((e) => [e.path, e.type, e.data.toString(), e.linkname]),
      [
        ['bin/', '5', '', ''],
        ['bin/busybox', '0', 'ELF...', ''],
        ['bin/sh', '2', '', '/bin/busybox'],
      ],
    );
    // mode field of the file entry (octal at offset 100 of its header, the second block)
    assert.equal(tar.toString('ascii', 512 + 100, 512 + 107), '0000755');
  });

  it('stores names longer than ustar allows in a PAX header', () => {
    const long = 'a/'.repeat(100) + 'file.txt';
    const entries = readTar(writeTar([{ type: 'file', path: long, data: Buffer.from('x') }]));
    assert.equal(entries.length, 1);
    assert.equal(entries[0].path, long);
  });

  it('splits names of 100-255 bytes into ustar prefix and name', () => {
    const name = 'usr/lib/' + 'x'.repeat(120) + '/libfoo.so';
    const tar = writeTar([{ type: 'file', path: name, data: Buffer.from('y') }]);
    assert.notEqual(tar.toString('ascii', 156, 157), 'x', 'no PAX header needed');
    assert.equal(readTar(tar)[0].path, name);
  });

  it('is deterministic: same entries, same bytes', () => {
    const e = [{ type: 'file' as const, path: 'a', data: Buffer.from('1') }];
    assert.equal(hex(writeTar(e)), hex(writeTar(e)));
  });

  it('has valid header checksums', () => {
    const tar = writeTar([
      { type: 'file', path: 'etc/passwd', data: Buffer.from('root:x:0:0::/:/bin/sh\n') },
    ]);
    const h = Buffer.from(tar.subarray(0, 512));
    const recorded = parseInt(h.toString('ascii', 148, 154), 8);
    h.fill(' ', 148, 156);
    assert.equal(
      recorded,
      h.reduce((a, b) => a + b, 0),
    );
  });
});

describe('OCI image layout', () => {
  const layer = makeLayer([{ type: 'file', path: 'hello', data: Buffer.from('hi\n') }]);
  const img = buildImageLayout(['busybox', 'docker.io/library/busybox:1.36'], [layer], { Cmd: ['sh'] });
  const files = new Map(readTar(img.archive).map((e) => [e.path, e.data]));

  it('has oci-layout, index.json and content-addressed blobs', () => {
    assert.deepEqual(JSON.parse(files.get('oci-layout')!.toString()), { imageLayoutVersion: '1.0.0' });
    for (const [path, data] of files) {
      if (!path.startsWith('blobs/sha256/') || path.endsWith('/')) continue;
      assert.equal(path.slice('blobs/sha256/'.length), hex(data), path);
    }
  });

  it('names the manifest for containerd (io.containerd.image.name) and OCI (ref.name), names normalized', () => {
    const index = JSON.parse(files.get('index.json')!.toString());
    assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.deepEqual(
      index.manifests.map((m: { annotations: Record<string, string> }) => m.annotations),
      [
        {
          'io.containerd.image.name': 'docker.io/library/busybox:latest',
          'org.opencontainers.image.ref.name': 'latest',
        },
        {
          'io.containerd.image.name': 'docker.io/library/busybox:1.36',
          'org.opencontainers.image.ref.name': '1.36',
        },
      ],
    );
    assert.equal(index.manifests[0].digest, img.manifestDigest);
  });

  it('manifest points at the config and gzip layer; config diff_ids are the uncompressed digests', () => {
    const manifest = JSON.parse(files.get(`blobs/sha256/${img.manifestDigest.slice(7)}`)!.toString());
    assert.equal(manifest.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(manifest.config.digest, img.configDigest);
    const layerBlob = files.get(`blobs/sha256/${manifest.layers[0].digest.slice(7)}`)!;
    assert.equal(manifest.layers[0].size, layerBlob.length);
    assert.equal(manifest.layers[0].mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
    const config = JSON.parse(files.get(`blobs/sha256/${img.configDigest.slice(7)}`)!.toString());
    assert.deepEqual(config.rootfs, { type: 'layers', diff_ids: [sha256(gunzipSync(layerBlob))] });
    assert.deepEqual(config.config, { Cmd: ['sh'] });
    assert.equal(config.os, 'linux');
    assert.equal(readTar(gunzipSync(layerBlob))[0].data.toString(), 'hi\n');
  });

  it('gives the same digests for the same inputs (reproducible image IDs)', () => {
    const again = buildImageLayout(['busybox', 'docker.io/library/busybox:1.36'], [layer], { Cmd: ['sh'] });
    assert.equal(again.manifestDigest, img.manifestDigest);
    assert.equal(hex(again.archive), hex(img.archive));
  });

  it('refuses an image without names or layers', () => {
    assert.throws(() => buildImageLayout([], [layer], {}), /at least one name/);
    assert.throws(() => buildImageLayout(['x'], [], {}), /at least one layer/);
  });
});

describe('image name normalization (as containerd and the kubelet name images)', () => {
  for (const [input, want] of [
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['library/nginx', 'docker.io/library/nginx:latest'],
    ['polinux/stress', 'docker.io/polinux/stress:latest'],
    ['registry.k8s.io/pause:3.9', 'registry.k8s.io/pause:3.9'],
    ['localhost:5000/app', 'localhost:5000/app:latest'],
    ['k8ts.io/test', 'k8ts.io/test:latest'],
    ['nginx@sha256:' + 'a'.repeat(64), 'docker.io/library/nginx@sha256:' + 'a'.repeat(64)],
  ]) {
    it(`${input} → ${want}`, () => assert.equal(normalizeImageName(input), want));
  }
});
