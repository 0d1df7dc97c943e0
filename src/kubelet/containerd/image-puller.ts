// The kubelet's image manager over CRI (upstream pkg/kubelet/images/image_manager.go): honour
// imagePullPolicy with ImageStatus first (CRI PullImage always contacts the registry), back off
// per pod and image after a failed pull (10 s doubling to 5 min), try each pull credential, and
// report upstream's event reasons and messages and the container's waiting reason.
import type { CriClient } from '../../cri/client.js';
import type { AuthConfig, PodSandboxConfig } from '../../cri/types.js';

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

export interface ImageEvent {
  type: 'Normal' | 'Warning';
  /** Upstream's pkg/kubelet/events reasons: Pulling, Pulled, Failed, BackOff, ErrImageNeverPull, InspectFailed. */
  reason: string;
  message: string;
}

/** The container's waiting reason when the image is not there (core/v1 ContainerStateWaiting). */
export type ImageErrorReason =
  'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull' | 'InvalidImageName' | 'ImageInspectError';

export type EnsureImageResult = { imageRef: string } | { reason: ImageErrorReason; message: string };

// distribution/reference, simplified: [domain[:port]/]path[:tag][@digest], lowercase path.
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN =
  '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?';
const REFERENCE = new RegExp(
  `^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*(?::([\\w][\\w.-]{0,127}))?(?:@([a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}))?$`,
);

/** Adds :latest to a reference without tag or digest, as upstream's applyDefaultImageTag (no docker.io/ prefix). */
export function applyDefaultImageTag(image: string): string {
  const m = REFERENCE.exec(image);
  if (!m) throw new Error(`couldn't parse image reference "${image}": invalid reference format`);
  return m[1] === undefined && m[2] === undefined ? image + ':latest' : image;
}

/** Go's time.Duration String() of a duration truncated to milliseconds (e.g. 1.5s, 250ms, 2m3.4s). */
export function goDurationMs(ms: number): string {
  const t = Math.trunc(ms);
  if (t === 0) return '0s';
  if (t < 1000) return `${t}ms`;
  const h = Math.floor(t / 3_600_000);
  const m = Math.floor((t % 3_600_000) / 60_000);
  const s = ((t % 60_000) / 1000).toFixed(3).replace(/\.?0+$/, '');
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}

/** Per key exponential back-off, as client-go's flowcontrol.Backoff (entries expire after 2×max). */
export class PullBackoff {
  private readonly entries = new Map<string, { durationMs: number; lastUpdate: number }>();
  constructor(
    private readonly initialMs = 10_000,
    private readonly maxMs = 300_000,
    private readonly now: () => number = Date.now,
  ) {}

  next(key: string): void {
    const t = this.now();
    const e = this.entries.get(key);
    if (!e || t - e.lastUpdate > 2 * this.maxMs)
      this.entries.set(key, { durationMs: this.initialMs, lastUpdate: t });
    else this.entries.set(key, { durationMs: Math.min(e.durationMs * 2, this.maxMs), lastUpdate: t });
  }

  isInBackOffSinceUpdate(key: string): boolean {
    const e = this.entries.get(key);
    return !!e && this.now() - e.lastUpdate < e.durationMs;
  }

  /** Drops entries older than 2×max (upstream's GC after a successful pull). */
  gc(): void {
    const t = this.now();
    for (const [k, e] of this.entries) if (t - e.lastUpdate > 2 * this.maxMs) this.entries.delete(k);
  }
}

export interface EnsureImageRequest {
  podUid: string;
  /** The image as the pod spec names it (messages quote it so). */
  image: string;
  policy: PullPolicy;
  /** Credentials from imagePullSecrets matching the image's registry, tried in order. */
  auths?: AuthConfig[];
  podAnnotations?: Record<string, string>;
  sandboxConfig?: PodSandboxConfig;
}

export class ImagePuller {
  constructor(
    private readonly cri: CriClient,
    readonly backoff = new PullBackoff(),
    private readonly now: () => number = Date.now,
  ) {}

  async ensureImage(req: EnsureImageRequest, emit: (e: ImageEvent) => void): Promise<EnsureImageResult> {
    const quoted = JSON.stringify(req.image);
    let image: string;
    try {
      image = applyDefaultImageTag(req.image);
    } catch (err) {
      const message = `Failed to apply default image tag ${quoted}: ${(err as Error).message}`;
      emit({ type: 'Warning', reason: 'InspectFailed', message });
      return { reason: 'InvalidImageName', message };
    }
    const spec = { image, annotations: req.podAnnotations ?? {} };
    let imageRef = '';
    try {
      imageRef = (await this.cri.imageStatus(spec))?.id ?? '';
    } catch (err) {
      const message = `Failed to inspect image ${quoted}: ${(err as Error).message}`;
      emit({ type: 'Warning', reason: 'InspectFailed', message });
      return { reason: 'ImageInspectError', message };
    }
    const present = imageRef !== '';
    if (req.policy === 'Never' || (req.policy === 'IfNotPresent' && present)) {
      if (present) {
        emit({
          type: 'Normal',
          reason: 'Pulled',
          message: `Container image ${quoted} already present on machine`,
        });
        return { imageRef };
      }
      const message = `Container image ${quoted} is not present with pull policy of Never`;
      emit({ type: 'Warning', reason: 'ErrImageNeverPull', message });
      return { reason: 'ErrImageNeverPull', message };
    }
    const key = `${req.podUid}_${req.image}`;
    if (this.backoff.isInBackOffSinceUpdate(key)) {
      const message = `Back-off pulling image ${quoted}`;
      emit({ type: 'Normal', reason: 'BackOff', message });
      return { reason: 'ImagePullBackOff', message };
    }
    emit({ type: 'Normal', reason: 'Pulling', message: `Pulling image ${quoted}` });
    const started = this.now();
    const errors: string[] = [];
    for (const auth of req.auths?.length ? req.auths : [undefined]) {
      try {
        const ref = await this.cri.pullImage(spec, auth, req.sandboxConfig);
        const size = (await this.cri.imageStatus(spec).catch(() => null))?.size ?? '0';
        const took = goDurationMs(this.now() - started);
        emit({
          type: 'Normal',
          reason: 'Pulled',
          message: `Successfully pulled image ${quoted} in ${took} (${took} including waiting). Image size: ${size} bytes.`,
        });
        this.backoff.gc();
        return { imageRef: ref };
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    // utilerrors.NewAggregate: one error prints as itself, several as [a, b].
    const message = errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
    emit({ type: 'Warning', reason: 'Failed', message: `Failed to pull image ${quoted}: ${message}` });
    this.backoff.next(key);
    return { reason: 'ErrImagePull', message };
  }
}
