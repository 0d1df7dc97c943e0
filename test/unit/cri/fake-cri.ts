// A CRI server for tests: our own proto served by grpc-js on a unix socket, with handlers given
// per method (unimplemented methods answer UNIMPLEMENTED, as a real server would).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

export type Handler = (request: Record<string, unknown>) => unknown;

export interface FakeCri {
  calls: { method: string; request: Record<string, unknown> }[];
  close(): Promise<void>;
}

export async function startFakeCri(socket: string, handlers: Record<string, Handler>): Promise<FakeCri> {
  const def = protoLoader.loadSync(join(root, 'src', 'cri', 'api.proto'), {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
  });
  const v1 = (grpc.loadPackageDefinition(def).runtime as grpc.GrpcObject).v1 as grpc.GrpcObject;
  const server = new grpc.Server();
  const calls: FakeCri['calls'] = [];
  for (const svcName of ['RuntimeService', 'ImageService']) {
    const svc = (v1[svcName] as grpc.ServiceClientConstructor).service;
    const impl: grpc.UntypedServiceImplementation = {};
    for (const method of Object.keys(svc)) {
      impl[method] = ((
        call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>,
        cb: grpc.sendUnaryData<unknown>,
      ) => {
        calls.push({ method, request: call.request });
        const h = handlers[method];
        if (!h) return cb({ code: grpc.status.UNIMPLEMENTED, details: `unknown method ${method}` });
        try {
          cb(null, h(call.request));
        } catch (err) {
          const e = err as { code?: number; message: string };
          cb({ code: e.code ?? grpc.status.UNKNOWN, details: e.message });
        }
      }) as grpc.handleUnaryCall<unknown, unknown>;
    }
    server.addService(svc, impl);
  }
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${socket}`, grpc.ServerCredentials.createInsecure(), (err) =>
      err ? reject(err) : resolve(),
    ),
  );
  return {
    calls,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

export function grpcError(code: grpc.status, message: string): Error {
  return Object.assign(new Error(message), { code });
}
