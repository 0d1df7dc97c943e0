// A KMS v2 plugin over gRPC on a unix socket (the service in ./api.proto), for the API server
// side (client) and for k8ts's test plugin (the service definition).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as grpc from '@grpc/grpc-js';
import { grpcJs, protoLoader, unixTarget } from '../../../util/grpc.js';
import { envelopeMetrics, grpcCodeName } from './metrics.js';

export interface StatusResponse {
  version: string;
  healthz: string;
  key_id: string;
}
export interface EncryptResponse {
  ciphertext: Buffer;
  key_id: string;
  annotations: Record<string, Buffer>;
}
export interface DecryptRequest {
  ciphertext: Uint8Array;
  uid: string;
  key_id: string;
  annotations: Record<string, Uint8Array>;
}

function protoPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 7; i++) {
    const p = join(dir, 'src', 'storage', 'encryption', 'kms', 'api.proto');
    if (existsSync(p)) return p;
    if (existsSync(join(dir, 'api.proto'))) return join(dir, 'api.proto');
    dir = dirname(dir);
  }
  throw new Error('src/storage/encryption/kms/api.proto not found');
}

let serviceMemo: grpc.ServiceClientConstructor | undefined;
/** The KeyManagementService constructor (its `.service` is the definition servers add). */
export function kmsService(): grpc.ServiceClientConstructor {
  if (!serviceMemo) {
    const def = protoLoader().loadSync(protoPath(), { keepCase: true, defaults: true });
    const pkg = grpcJs().loadPackageDefinition(def).v2 as grpc.GrpcObject;
    serviceMemo = pkg.KeyManagementService as grpc.ServiceClientConstructor;
  }
  return serviceMemo;
}

type Unary = (
  req: unknown,
  meta: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, res: unknown) => void,
) => grpc.ClientUnaryCall;

export class KmsClient {
  private readonly client: grpc.Client;

  constructor(
    readonly endpoint: string,
    private readonly timeoutMs: number,
    /** the provider's name, for apiserver_envelope_encryption_kms_operations_latency_seconds */
    private readonly providerName = '',
  ) {
    const Service = kmsService();
    this.client = new Service(unixTarget(endpoint), grpcJs().credentials.createInsecure(), {
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 2000,
    });
  }

  private call<Res>(method: string, req: object): Promise<Res> {
    const fn = (this.client as unknown as Record<string, Unary>)[method];
    const deadline = new Date(Date.now() + this.timeoutMs);
    const started = performance.now();
    return new Promise<Res>((resolve, reject) => {
      fn.call(this.client, req, new (grpcJs().Metadata)(), { deadline }, (err, res) => {
        envelopeMetrics.recordLatency(
          this.providerName,
          `/v2.KeyManagementService/${method}`,
          (performance.now() - started) / 1000,
          grpcCodeName(err ? err.code : 0),
        );
        if (err)
          reject(
            new Error(`rpc error: code = ${grpcJs().status[err.code]} desc = ${err.details || err.message}`),
          );
        else resolve(res as Res);
      });
    });
  }

  status(): Promise<StatusResponse> {
    return this.call('Status', {});
  }
  encrypt(plaintext: Uint8Array, uid: string): Promise<EncryptResponse> {
    return this.call('Encrypt', { plaintext: Buffer.from(plaintext), uid });
  }
  async decrypt(req: DecryptRequest): Promise<Buffer> {
    const r = await this.call<{ plaintext: Buffer }>('Decrypt', {
      ...req,
      ciphertext: Buffer.from(req.ciphertext),
      annotations: Object.fromEntries(Object.entries(req.annotations).map(([k, v]) => [k, Buffer.from(v)])),
    });
    return r.plaintext;
  }

  close(): void {
    this.client.close();
  }
}
