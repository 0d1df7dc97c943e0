// Writes an OCI image layout (image-spec v1.0 "oci-layout" + index.json + blobs/sha256/*) as one
// tar archive, the format `ctr images import` reads. Layers are gzip-compressed tars; the config
// lists their uncompressed digests (diff_ids). index.json names each image with the annotation
// containerd uses (io.containerd.image.name) and the OCI one (org.opencontainers.image.ref.name).
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { writeTar, type TarEntry } from './tar.js';

export const MEDIA_TYPES = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

/** The runtime part of an image config (image-spec config.md "config" object). */
export interface ImageRuntimeConfig {
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  StopSignal?: string;
  Labels?: Record<string, string>;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

/**
 * A layer: its uncompressed tar and digest (the diff_id) at once, the gzip blob on first use,
 * so that a cache check over diff_ids costs only hashing.
 */
export interface Layer {
  diffId: string;
  compressed(): { blob: Buffer; digest: string };
}

export interface BuiltImage {
  /** The whole OCI layout as a tar archive. */
  archive: Buffer;
  manifestDigest: string;
  configDigest: string;
  names: string[];
}

export function sha256(data: Uint8Array | string): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

/** Makes a layer from entries; the same entries always give the same blob (gzip mtime is 0). */
export function makeLayer(entries: TarEntry[]): Layer {
  const tar = writeTar(entries);
  let gz: { blob: Buffer; digest: string } | undefined;
  return {
    diffId: sha256(tar),
    compressed: () => {
      if (!gz) {
        const blob = gzipSync(tar, { level: 6 });
        gz = { blob, digest: sha256(blob) };
      }
      return gz;
    },
  };
}

/** Normalizes a reference as containerd names images: `busybox` → `docker.io/library/busybox:latest`. */
export function normalizeImageName(ref: string): string {
  let name = ref;
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  if (slash < 0 || !(first.includes('.') || first.includes(':') || first === 'localhost')) {
    name = 'docker.io/' + (slash < 0 ? 'library/' : '') + name;
  }
  const lastPart = name.slice(name.lastIndexOf('/') + 1);
  if (!lastPart.includes(':') && !lastPart.includes('@')) name += ':latest';
  return name;
}

export function goArch(arch: string = process.arch): string {
  const map: Record<string, string> = {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'arm',
    ia32: '386',
    s390x: 's390x',
  };
  return map[arch] ?? arch;
}

/**
 * Builds one image (manifest + config + layers) named by every entry of `names`.
 * Names are normalized as containerd does; the image's creation time is the epoch so that the
 * same inputs give the same config digest, hence the same image ID.
 */
export function buildImageLayout(names: string[], layers: Layer[], config: ImageRuntimeConfig): BuiltImage {
  if (names.length === 0) throw new Error('an image needs at least one name');
  if (layers.length === 0) throw new Error('an image needs at least one layer');
  const created = '1970-01-01T00:00:00Z';
  const configJson = JSON.stringify({
    created,
    architecture: goArch(),
    os: 'linux',
    config,
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((_, i) => ({ created, created_by: `k8ts image build (layer ${i + 1})` })),
  });
  const configBlob = Buffer.from(configJson);
  const configDesc: Descriptor = {
    mediaType: MEDIA_TYPES.config,
    digest: sha256(configBlob),
    size: configBlob.length,
  };
  const manifestBlob = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.manifest,
      config: configDesc,
      layers: layers.map((l) => {
        const { blob, digest } = l.compressed();
        return { mediaType: MEDIA_TYPES.layerGzip, digest, size: blob.length };
      }),
    }),
  );
  const manifestDigest = sha256(manifestBlob);
  const fullNames = names.map(normalizeImageName);
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.index,
    manifests: fullNames.map((n) => ({
      mediaType: MEDIA_TYPES.manifest,
      digest: manifestDigest,
      size: manifestBlob.length,
      annotations: { 'io.containerd.image.name': n, 'org.opencontainers.image.ref.name': tagOf(n) },
    })),
  };
  const blobs = new Map<string, Buffer>();
  for (const l of layers) blobs.set(l.compressed().digest, l.compressed().blob);
  blobs.set(configDesc.digest, configBlob);
  blobs.set(manifestDigest, manifestBlob);
  const entries: TarEntry[] = [
    { type: 'file', path: 'oci-layout', data: Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })) },
    { type: 'file', path: 'index.json', data: Buffer.from(JSON.stringify(index)) },
    { type: 'dir', path: 'blobs' },
    { type: 'dir', path: 'blobs/sha256' },
    ...[...blobs].map(([d, data]): TarEntry => ({ type: 'file', path: `blobs/sha256/${d.slice(7)}`, data })),
  ];
  return { archive: writeTar(entries), manifestDigest, configDigest: configDesc.digest, names: fullNames };
}

function tagOf(name: string): string {
  const last = name.slice(name.lastIndexOf('/') + 1);
  const colon = last.indexOf(':');
  return colon < 0 ? 'latest' : last.slice(colon + 1);
}
