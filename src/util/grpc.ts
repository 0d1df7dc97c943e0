// @grpc/grpc-js and @grpc/proto-loader, loaded on first use: a server without a KMS provider
// or a CRI runtime (the default SQLite server) never needs them, and they cost ~35 ms of CPU
// at start-up. Both are CommonJS, so a synchronous require works from ESM.
import { createRequire } from 'node:module';

type GrpcModule = typeof import('@grpc/grpc-js');
type ProtoLoaderModule = typeof import('@grpc/proto-loader');

const require = createRequire(import.meta.url);
let grpcMemo: GrpcModule | undefined;
let loaderMemo: ProtoLoaderModule | undefined;

export function grpcJs(): GrpcModule {
  grpcMemo ??= require('@grpc/grpc-js') as GrpcModule;
  return grpcMemo;
}

export function protoLoader(): ProtoLoaderModule {
  loaderMemo ??= require('@grpc/proto-loader') as ProtoLoaderModule;
  return loaderMemo;
}

/** A gRPC target for a unix socket endpoint as kubelets and KMS configs spell it. */
export function unixTarget(endpoint: string): string {
  if (endpoint.startsWith('unix://'))
    return 'unix://' + endpoint.slice('unix://'.length).replace(/^\/*/, '/');
  if (endpoint.startsWith('unix:')) return 'unix://' + endpoint.slice(5);
  if (endpoint.startsWith('/')) return 'unix://' + endpoint;
  return endpoint;
}
