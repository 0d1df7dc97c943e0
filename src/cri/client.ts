// A CRI v1 client (runtime.v1.RuntimeService + ImageService) over gRPC on a unix socket, with
// typed methods. Errors keep the runtime's words in Go's grpc format ("rpc error: code = NotFound
// desc = ..."), because the kubelet puts them verbatim into pod statuses and events.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { unixTarget } from '../util/grpc.js';
import type * as T from './types.js';

// The kubelet's own limit (pkg/kubelet/cri/remote: maxMsgSize = 16 MiB); grpc's default is 4 MiB.
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 2 * 60_000; // upstream's --runtime-request-timeout default

/** Go's names for grpc codes, as upstream's error strings show them. */
const CODE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(grpc.status)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => [
      v as number,
      k
        .split('_')
        .map((w) => w[0] + w.slice(1).toLowerCase())
        .join(''),
    ]),
);
CODE_NAMES[grpc.status.OK] = 'OK';

export class CriError extends Error {
  constructor(
    readonly method: string,
    readonly code: grpc.status,
    readonly details: string,
  ) {
    super(`rpc error: code = ${CODE_NAMES[code] ?? code} desc = ${details}`);
    this.name = 'CriError';
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof CriError && err.code === grpc.status.NOT_FOUND;
}

function protoPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, 'src', 'cri', 'api.proto');
    if (existsSync(p)) return p;
    if (existsSync(join(dir, 'api.proto'))) return join(dir, 'api.proto');
    dir = dirname(dir);
  }
  throw new Error('src/cri/api.proto not found');
}

let packageMemo: grpc.GrpcObject | undefined;
function criPackage(): grpc.GrpcObject {
  if (!packageMemo) {
    const def = protoLoader.loadSync(protoPath(), {
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    packageMemo = grpc.loadPackageDefinition(def);
  }
  return packageMemo;
}

type Unary = (
  req: unknown,
  meta: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, res: unknown) => void,
) => grpc.ClientUnaryCall;

export interface CriClientOptions {
  /** Per-call deadline unless a call gives its own. */
  timeoutMs?: number;
  initialReconnectBackoffMs?: number;
  maxReconnectBackoffMs?: number;
}

/** Turns `unix:///run/x.sock`, `unix:/x`, or a bare path into grpc-js's target. */
export const criTarget = unixTarget;

export class CriClient {
  private readonly runtime: grpc.Client;
  private readonly images: grpc.Client;
  private readonly timeoutMs: number;

  constructor(
    readonly endpoint: string,
    opts: CriClientOptions = {},
  ) {
    const v1 = (criPackage().runtime as grpc.GrpcObject).v1 as grpc.GrpcObject;
    const RuntimeService = v1.RuntimeService as grpc.ServiceClientConstructor;
    const ImageService = v1.ImageService as grpc.ServiceClientConstructor;
    const channelOpts = {
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      // A local socket: reconnect soon after the runtime restarts (grpc's defaults are 1 s
      // doubling to 120 s, which would keep the kubelet blind long after containerd is back).
      'grpc.initial_reconnect_backoff_ms': opts.initialReconnectBackoffMs ?? 100,
      'grpc.max_reconnect_backoff_ms': opts.maxReconnectBackoffMs ?? 2000,
    };
    const creds = grpc.credentials.createInsecure();
    this.runtime = new RuntimeService(criTarget(endpoint), creds, channelOpts);
    // Share one channel: the image client rides on the runtime client's connection.
    this.images = new ImageService(criTarget(endpoint), creds, {
      ...channelOpts,
      channelOverride: this.runtime.getChannel(),
    });
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  close(): void {
    this.images.close();
    this.runtime.close();
  }

  private call<Res>(svc: grpc.Client, method: string, req: object, timeoutMs?: number): Promise<Res> {
    const fn = (svc as unknown as Record<string, Unary>)[method];
    const deadline = new Date(Date.now() + (timeoutMs ?? this.timeoutMs));
    return new Promise<Res>((resolve, reject) => {
      fn.call(svc, req, new grpc.Metadata(), { deadline }, (err, res) => {
        if (err) reject(new CriError(method, err.code, err.details || err.message));
        else resolve(res as Res);
      });
    });
  }

  private rt<Res>(method: string, req: object, timeoutMs?: number): Promise<Res> {
    return this.call<Res>(this.runtime, method, req, timeoutMs);
  }

  private img<Res>(method: string, req: object, timeoutMs?: number): Promise<Res> {
    return this.call<Res>(this.images, method, req, timeoutMs);
  }

  // ---- RuntimeService ----

  version(timeoutMs?: number): Promise<T.VersionResponse> {
    return this.rt('Version', { version: 'v1' }, timeoutMs);
  }

  async runPodSandbox(config: T.PodSandboxConfig, runtimeHandler = '', timeoutMs?: number): Promise<string> {
    const r = await this.rt<{ pod_sandbox_id: string }>(
      'RunPodSandbox',
      { config, runtime_handler: runtimeHandler },
      timeoutMs,
    );
    return r.pod_sandbox_id;
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    await this.rt('StopPodSandbox', { pod_sandbox_id: podSandboxId });
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    await this.rt('RemovePodSandbox', { pod_sandbox_id: podSandboxId });
  }

  podSandboxStatus(podSandboxId: string, verbose = false): Promise<T.PodSandboxStatusResponse> {
    return this.rt('PodSandboxStatus', { pod_sandbox_id: podSandboxId, verbose });
  }

  async listPodSandbox(filter?: T.PodSandboxFilter): Promise<T.PodSandbox[]> {
    return (await this.rt<{ items: T.PodSandbox[] }>('ListPodSandbox', { filter })).items;
  }

  async createContainer(
    podSandboxId: string,
    config: T.ContainerConfig,
    sandboxConfig: T.PodSandboxConfig,
  ): Promise<string> {
    const r = await this.rt<{ container_id: string }>('CreateContainer', {
      pod_sandbox_id: podSandboxId,
      config,
      sandbox_config: sandboxConfig,
    });
    return r.container_id;
  }

  async startContainer(containerId: string): Promise<void> {
    await this.rt('StartContainer', { container_id: containerId });
  }

  /** timeoutSeconds: grace period before SIGKILL (0 kills at once). The call waits that long, plus margin. */
  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    await this.rt(
      'StopContainer',
      { container_id: containerId, timeout: timeoutSeconds },
      this.timeoutMs + timeoutSeconds * 1000,
    );
  }

  async removeContainer(containerId: string): Promise<void> {
    await this.rt('RemoveContainer', { container_id: containerId });
  }

  async listContainers(filter?: T.ContainerFilter): Promise<T.Container[]> {
    return (await this.rt<{ containers: T.Container[] }>('ListContainers', { filter })).containers;
  }

  containerStatus(containerId: string, verbose = false): Promise<T.ContainerStatusResponse> {
    return this.rt('ContainerStatus', { container_id: containerId, verbose });
  }

  async updateContainerResources(containerId: string, linux: T.LinuxContainerResources): Promise<void> {
    await this.rt('UpdateContainerResources', { container_id: containerId, linux });
  }

  async reopenContainerLog(containerId: string): Promise<void> {
    await this.rt('ReopenContainerLog', { container_id: containerId });
  }

  /** timeoutSeconds 0 runs without limit on the runtime's side; the gRPC deadline still applies. */
  execSync(containerId: string, cmd: string[], timeoutSeconds = 0): Promise<T.ExecSyncResponse> {
    const deadline = timeoutSeconds > 0 ? timeoutSeconds * 1000 + 5000 : this.timeoutMs;
    return this.rt('ExecSync', { container_id: containerId, cmd, timeout: timeoutSeconds }, deadline);
  }

  /** Returns the runtime's streaming URL for the exec session. */
  async exec(req: {
    container_id: string;
    cmd: string[];
    tty?: boolean;
    stdin?: boolean;
    stdout?: boolean;
    stderr?: boolean;
  }): Promise<string> {
    return (await this.rt<{ url: string }>('Exec', req)).url;
  }

  async attach(req: {
    container_id: string;
    tty?: boolean;
    stdin?: boolean;
    stdout?: boolean;
    stderr?: boolean;
  }): Promise<string> {
    return (await this.rt<{ url: string }>('Attach', req)).url;
  }

  async portForward(podSandboxId: string, ports: number[] = []): Promise<string> {
    return (await this.rt<{ url: string }>('PortForward', { pod_sandbox_id: podSandboxId, port: ports })).url;
  }

  async containerStats(containerId: string): Promise<T.ContainerStats | null> {
    return (
      await this.rt<{ stats: T.ContainerStats | null }>('ContainerStats', { container_id: containerId })
    ).stats;
  }

  async listContainerStats(filter?: {
    id?: string;
    pod_sandbox_id?: string;
    label_selector?: T.StringMap;
  }): Promise<T.ContainerStats[]> {
    return (await this.rt<{ stats: T.ContainerStats[] }>('ListContainerStats', { filter })).stats;
  }

  async updateRuntimeConfig(podCidr: string): Promise<void> {
    await this.rt('UpdateRuntimeConfig', { runtime_config: { network_config: { pod_cidr: podCidr } } });
  }

  status(verbose = false, timeoutMs?: number): Promise<T.StatusResponse> {
    return this.rt('Status', { verbose }, timeoutMs);
  }

  // ---- ImageService ----

  async listImages(filter?: T.ImageSpec): Promise<T.Image[]> {
    return (
      await this.img<{ images: T.Image[] }>('ListImages', { filter: filter ? { image: filter } : undefined })
    ).images;
  }

  /** The image, or null when the runtime does not have it (not an error in the CRI). */
  async imageStatus(image: string | T.ImageSpec, verbose = false): Promise<T.Image | null> {
    const spec = typeof image === 'string' ? { image } : image;
    return (await this.img<{ image: T.Image | null }>('ImageStatus', { image: spec, verbose })).image;
  }

  /** Pulls (always contacts the registry; check imageStatus first); returns the image ref. */
  async pullImage(
    image: string | T.ImageSpec,
    auth?: T.AuthConfig,
    sandboxConfig?: T.PodSandboxConfig,
    timeoutMs?: number,
  ): Promise<string> {
    const spec = typeof image === 'string' ? { image } : image;
    const r = await this.img<{ image_ref: string }>(
      'PullImage',
      { image: spec, auth, sandbox_config: sandboxConfig },
      timeoutMs ?? 10 * 60_000,
    );
    return r.image_ref;
  }

  async removeImage(image: string | T.ImageSpec): Promise<void> {
    await this.img('RemoveImage', { image: typeof image === 'string' ? { image } : image });
  }

  imageFsInfo(): Promise<T.ImageFsInfoResponse> {
    return this.img('ImageFsInfo', {});
  }
}
