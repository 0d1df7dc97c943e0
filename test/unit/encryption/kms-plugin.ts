// An in-process KMS v2 gRPC plugin for the kms unit tests: its KEK id can be changed, its health
// set, and its Decrypt calls are counted.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { kmsService } from '../../../src/storage/encryption/kms/client.js';

type Callback = (err: grpc.ServiceError | null, res?: unknown) => void;

/** A KMS v2 plugin whose KEK id the test may change; counts Decrypt calls. */
export async function plugin(socket: string) {
  const keks = new Map<string, Buffer>([['k1', randomBytes(32)]]);
  const state = { keyId: 'k1', decrypts: 0, healthz: 'ok' };
  const server = new grpc.Server();
  server.addService(kmsService().service, {
    Status: (_c: unknown, cb: Callback) =>
      cb(null, { version: 'v2', healthz: state.healthz, key_id: state.keyId }),
    Encrypt(call: { request: { plaintext: Buffer } }, cb: Callback) {
      const nonce = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', keks.get(state.keyId)!, nonce);
      const body = Buffer.concat([c.update(call.request.plaintext), c.final(), c.getAuthTag()]);
      cb(null, { ciphertext: Buffer.concat([nonce, body]), key_id: state.keyId, annotations: {} });
    },
    Decrypt(call: { request: { ciphertext: Buffer; key_id: string } }, cb: Callback) {
      state.decrypts++;
      const { ciphertext: ct, key_id } = call.request;
      const d = createDecipheriv('aes-256-gcm', keks.get(key_id)!, ct.subarray(0, 12));
      d.setAuthTag(ct.subarray(ct.length - 16));
      cb(null, { plaintext: Buffer.concat([d.update(ct.subarray(12, ct.length - 16)), d.final()]) });
    },
  });
  await new Promise<void>((res, rej) =>
    server.bindAsync(`unix://${socket}`, grpc.ServerCredentials.createInsecure(), (e) =>
      e ? rej(e) : res(),
    ),
  );
  return {
    state,
    rotate(id: string) {
      keks.set(id, randomBytes(32));
      state.keyId = id;
    },
    stop: () => server.forceShutdown(),
  };
}
