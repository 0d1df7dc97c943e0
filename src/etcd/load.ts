// The etcd3 client, loaded on first use: with gRPC and protobufjs it costs ~0.3 s of CPU at
// start-up, which servers on the embedded SQLite datastore (the default) never need.
import { createRequire } from 'node:module';

type Etcd3Module = typeof import('etcd3');
let loaded: Etcd3Module | undefined;

export function etcd3(): Etcd3Module {
  loaded ??= createRequire(import.meta.url)('etcd3') as Etcd3Module;
  return loaded;
}
