// What the mirror serves: image references resolved to manifest descriptors, and blobs by
// digest. The containerd source reads the node's own containerd: its image list (ctr images ls)
// and its content store, which holds every manifest, config and layer blob as a file named by
// its digest (containerd keeps layers: the config sets discard_unpacked_layers = false).
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ManifestDescriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface ImageSource {
  /** reference: a tag or a digest; undefined when the image is not on this node. */
  resolve(registry: string, repository: string, reference: string): Promise<ManifestDescriptor | undefined>;
  /** The file holding a blob (manifest, config or layer), if present. */
  blobPath(digest: string): string | undefined;
}

export const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

/** Parses `ctr images ls` output (REF TYPE DIGEST SIZE PLATFORMS LABELS) into ref → descriptor. */
export function parseCtrImages(output: string): Map<string, { mediaType: string; digest: string }> {
  const out = new Map<string, { mediaType: string; digest: string }>();
  for (const line of output.split('\n').slice(1)) {
    const [ref, mediaType, digest] = line.trim().split(/\s+/);
    if (ref && DIGEST_RE.test(digest ?? '')) out.set(ref, { mediaType, digest });
  }
  return out;
}

export interface ContainerdSourceOptions {
  /** containerd's socket. */
  address: string;
  /** containerd's root dir (the content store is under it). */
  root: string;
  namespace?: string;
  ctrPath?: string;
  /** How long an image listing is reused; a miss always lists again. */
  cacheMs?: number;
}

export class ContainerdImageSource implements ImageSource {
  private cache: { at: number; refs: Map<string, { mediaType: string; digest: string }> } | undefined;
  private readonly blobsDir: string;

  constructor(private readonly o: ContainerdSourceOptions) {
    this.blobsDir = join(o.root, 'io.containerd.content.v1.content', 'blobs', 'sha256');
  }

  private async list(fresh: boolean): Promise<Map<string, { mediaType: string; digest: string }>> {
    if (!fresh && this.cache && Date.now() - this.cache.at < (this.o.cacheMs ?? 2000)) return this.cache.refs;
    const { stdout } = await run(this.o.ctrPath ?? 'ctr', [
      '--address',
      this.o.address,
      '-n',
      this.o.namespace ?? 'k8s.io',
      'images',
      'ls',
    ]);
    this.cache = { at: Date.now(), refs: parseCtrImages(stdout) };
    return this.cache.refs;
  }

  async resolve(
    registry: string,
    repository: string,
    reference: string,
  ): Promise<ManifestDescriptor | undefined> {
    if (DIGEST_RE.test(reference)) {
      const path = this.blobPath(reference);
      if (!path) return undefined;
      // A manifest by digest: its media type comes from the listing when an image points at it.
      const refs = await this.list(false);
      const known = [...refs.values()].find((d) => d.digest === reference);
      return {
        mediaType: known?.mediaType ?? 'application/vnd.oci.image.manifest.v1+json',
        digest: reference,
        size: statSync(path).size,
      };
    }
    const ref = `${registry}/${repository}:${reference}`;
    let hit = (await this.list(false)).get(ref);
    if (!hit) hit = (await this.list(true)).get(ref);
    if (!hit) return undefined;
    const path = this.blobPath(hit.digest);
    return path ? { ...hit, size: statSync(path).size } : undefined;
  }

  blobPath(digest: string): string | undefined {
    if (!DIGEST_RE.test(digest)) return undefined;
    const p = join(this.blobsDir, digest.slice('sha256:'.length));
    return existsSync(p) ? p : undefined;
  }
}
