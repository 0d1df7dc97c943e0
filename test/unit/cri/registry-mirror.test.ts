import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistryMirror, type RegistryMirror } from '../../../src/kubelet/registry-mirror/server.js';
import {
  parseCtrImages,
  type ImageSource,
  type ManifestDescriptor,
} from '../../../src/kubelet/registry-mirror/source.js';
import { sha256 } from '../../../src/kubelet/containerd/oci/layout.js';

// A source over a directory of blobs and a ref table, as the containerd source presents them.
function dirSource(refs: Record<string, string>, blobs: Record<string, string>): ImageSource {
  const dir = mkdtempSync(join(tmpdir(), 'mirror-'));
  for (const [d, body] of Object.entries(blobs)) writeFileSync(join(dir, d.slice(7)), body);
  const mediaType = 'application/vnd.oci.image.manifest.v1+json';
  return {
    async resolve(registry, repository, reference): Promise<ManifestDescriptor | undefined> {
      const digest = reference.startsWith('sha256:')
        ? reference
        : refs[`${registry}/${repository}:${reference}`];
      if (!digest || !(digest in blobs)) return undefined;
      return { mediaType, digest, size: Buffer.byteLength(blobs[digest]) };
    },
    blobPath: (digest) => (digest in blobs ? join(dir, digest.slice(7)) : undefined),
  };
}

describe('registry mirror (OCI distribution, read-only)', () => {
  const layer = 'layer bytes';
  const manifest = JSON.stringify({ schemaVersion: 2, layers: [{ digest: sha256(layer) }] });
  const md = sha256(manifest);
  let mirror: RegistryMirror;

  before(async () => {
    mirror = await startRegistryMirror(
      dirSource(
        { 'docker.io/library/busybox:latest': md, 'registry.k8s.io/pause:3.9': md },
        { [md]: manifest, [sha256(layer)]: layer },
      ),
    );
  });
  after(() => mirror.close());

  it('answers /v2/ with the API version header', async () => {
    const r = await fetch(mirror.url + '/v2/');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('docker-distribution-api-version'), 'registry/2.0');
    assert.deepEqual(await r.json(), {});
  });

  it('serves a manifest by tag with its digest, type and length; HEAD has no body', async () => {
    const get = await fetch(`${mirror.url}/v2/library/busybox/manifests/latest?ns=docker.io`);
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('docker-content-digest'), md);
    assert.equal(get.headers.get('content-type'), 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(await get.text(), manifest);
    const head = await fetch(`${mirror.url}/v2/library/busybox/manifests/latest`, { method: 'HEAD' });
    assert.equal(head.status, 200, 'no ns means docker.io');
    assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(manifest)));
    assert.equal(await head.text(), '');
  });

  it('tells registries apart by ns', async () => {
    assert.equal((await fetch(`${mirror.url}/v2/pause/manifests/3.9?ns=registry.k8s.io`)).status, 200);
    assert.equal((await fetch(`${mirror.url}/v2/pause/manifests/3.9?ns=docker.io`)).status, 404);
  });

  it('serves manifests and blobs by digest', async () => {
    assert.equal(await (await fetch(`${mirror.url}/v2/library/busybox/manifests/${md}`)).text(), manifest);
    const blob = await fetch(`${mirror.url}/v2/library/busybox/blobs/${sha256(layer)}`);
    assert.equal(blob.status, 200);
    assert.equal(await blob.text(), layer);
  });

  it("answers unknown images and blobs with the spec's error codes", async () => {
    const m = await fetch(`${mirror.url}/v2/library/nothere/manifests/latest`);
    assert.equal(m.status, 404);
    assert.deepEqual((await m.json()).errors[0], {
      code: 'MANIFEST_UNKNOWN',
      message: 'manifest unknown',
      detail: { name: 'library/nothere', reference: 'latest' },
    });
    const b = await fetch(`${mirror.url}/v2/library/busybox/blobs/sha256:${'0'.repeat(64)}`);
    assert.equal(b.status, 404);
    assert.equal((await b.json()).errors[0].code, 'BLOB_UNKNOWN');
    const bad = await fetch(`${mirror.url}/v2/library/busybox/blobs/notadigest`);
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).errors[0].code, 'DIGEST_INVALID');
    const name = await fetch(`${mirror.url}/v2/Library/BusyBox/manifests/latest`);
    assert.equal(name.status, 400);
    assert.equal((await name.json()).errors[0].code, 'NAME_INVALID');
  });

  it('is read-only: pushes get 405 UNSUPPORTED', async () => {
    for (const method of ['PUT', 'POST', 'DELETE', 'PATCH']) {
      const r = await fetch(`${mirror.url}/v2/library/busybox/manifests/latest`, {
        method,
        body: method === 'DELETE' ? undefined : '{}',
      });
      assert.equal(r.status, 405, method);
      assert.equal((await r.json()).errors[0].code, 'UNSUPPORTED');
    }
  });
});

describe('ctr images ls parsing', () => {
  it('maps refs to manifest digests and media types, skipping the header', () => {
    const d = 'sha256:' + 'a'.repeat(64);
    const out =
      'REF                              TYPE                                       DIGEST   SIZE    PLATFORMS   LABELS\n' +
      `docker.io/library/busybox:latest application/vnd.oci.image.manifest.v1+json ${d} 1.0 MiB linux/amd64 io.cri-containerd.image=managed\n` +
      `sha256:${'b'.repeat(64)} application/vnd.oci.image.manifest.v1+json ${d} 1.0 MiB linux/amd64 io.cri-containerd.image=managed\n`;
    const refs = parseCtrImages(out);
    assert.deepEqual(refs.get('docker.io/library/busybox:latest'), {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: d,
    });
    assert.equal(refs.size, 2);
  });
});
