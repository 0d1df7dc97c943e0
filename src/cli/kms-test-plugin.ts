// `k8ts kms-test-plugin`: a KMS v2 plugin for trying and testing the `kms` encryption provider
// without a cloud KMS. Its key encryption keys live in a local JSON file (so NOT a security
// boundary: anyone who reads the file and the datastore reads the secrets); Encrypt seals with
// the current KEK (AES-256-GCM), Decrypt uses the KEK the request's key_id names. Start it
// with another --key-id to rotate: the old KEKs stay in the file and keep decrypting.
import { randomBytes, createCipheriv, createDecipheriv } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { kmsService, type DecryptRequest } from '../storage/encryption/kms/client.js';

const HELP = `Usage: k8ts kms-test-plugin --socket PATH --keys-file FILE [--key-id ID]

A KMS v2 plugin on a unix socket, for tests only (its keys are in a plain file).
  --socket PATH     Where to listen (the EncryptionConfiguration's endpoint: unix://PATH)
  --keys-file FILE  JSON file of the key encryption keys (made if missing)
  --key-id ID       The KEK new encryptions use (default key-1; made if missing)
`;

const ANNOTATION = 'kms-test-plugin.k8ts.io/kek';

type Keys = Record<string, string>;

function loadKeys(file: string): Keys {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Keys) : {};
}

type Callback = (err: grpc.ServiceError | null, res?: unknown) => void;
type Call<T> = { request: T };

function failure(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}

export async function runKmsTestPlugin(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      socket: { type: 'string' },
      'keys-file': { type: 'string' },
      'key-id': { type: 'string', default: 'key-1' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || !values.socket || !values['keys-file']) {
    process.stdout.write(HELP);
    return values.help ? 0 : 1;
  }
  const socket = resolve(values.socket);
  const keysFile = resolve(values['keys-file']);
  const current = values['key-id']!;
  const keys = loadKeys(keysFile);
  if (!keys[current]) {
    keys[current] = randomBytes(32).toString('base64');
    writeFileSync(keysFile, JSON.stringify(keys, null, 2), { mode: 0o600 });
  }

  const server = new grpc.Server();
  server.addService(kmsService().service, {
    Status(_call: Call<unknown>, cb: Callback) {
      cb(null, { version: 'v2', healthz: 'ok', key_id: current });
    },
    Encrypt(call: Call<{ plaintext: Buffer }>, cb: Callback) {
      const nonce = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', Buffer.from(keys[current], 'base64'), nonce);
      const body = Buffer.concat([c.update(call.request.plaintext), c.final()]);
      cb(null, {
        ciphertext: Buffer.concat([nonce, body, c.getAuthTag()]),
        key_id: current,
        annotations: { [ANNOTATION]: Buffer.from(current) },
      });
    },
    Decrypt(call: Call<DecryptRequest>, cb: Callback) {
      const { ciphertext, key_id } = call.request;
      const kek = loadKeys(keysFile)[key_id] ?? keys[key_id];
      if (!kek) return cb(failure(grpc.status.INVALID_ARGUMENT, `unknown key_id "${key_id}"`));
      try {
        const d = createDecipheriv('aes-256-gcm', Buffer.from(kek, 'base64'), ciphertext.subarray(0, 12));
        d.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
        cb(null, {
          plaintext: Buffer.concat([d.update(ciphertext.subarray(12, ciphertext.length - 16)), d.final()]),
        });
      } catch {
        cb(failure(grpc.status.INVALID_ARGUMENT, 'ciphertext does not decrypt with its key'));
      }
    },
  });
  rmSync(socket, { force: true });
  await new Promise<void>((res, rej) =>
    server.bindAsync(`unix://${socket}`, grpc.ServerCredentials.createInsecure(), (err) =>
      err ? rej(err) : res(),
    ),
  );
  process.stdout.write(`kms-test-plugin listening on unix://${socket} with key ${current}\n`);
  await new Promise<void>((res) => {
    const stop = () => server.tryShutdown(() => res());
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  rmSync(socket, { force: true });
  return 0;
}
