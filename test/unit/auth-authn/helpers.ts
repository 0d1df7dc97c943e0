// Small builders for the authentication unit tests: objects, an in-memory getter, a key.
import { generateKeyPairSync, createPublicKey } from 'node:crypto';
import type { KubeObject } from '../../../src/api/types.js';
import type { ObjectGetter } from '../../../src/apiserver/auth/authn/types.js';
import { algorithmOf, keyId } from '../../../src/pki/jwt.js';
import type { SigningKey } from '../../../src/pki/service-account-key.js';

export function rsaKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, algorithm: algorithmOf(privateKey), keyId: keyId(publicKey) };
}

export function ecKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, algorithm: algorithmOf(privateKey), keyId: keyId(publicKey) };
}

export function obj(
  kind: string,
  namespace: string | undefined,
  name: string,
  uid: string,
  rest: Partial<KubeObject> = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind,
    metadata: { name, uid, ...(namespace ? { namespace } : {}) },
    ...rest,
  } as KubeObject;
}

/** An ObjectGetter over a map the test edits ("<resource>/<ns>/<name>"). */
export function memoryGetter(): {
  getter: ObjectGetter;
  put(resource: string, o: KubeObject): void;
  remove(resource: string, ns: string | undefined, name: string): void;
} {
  const objects = new Map<string, KubeObject>();
  const key = (resource: string, ns: string | undefined, name: string) => `${resource}/${ns ?? ''}/${name}`;
  return {
    getter: (resource, ns, name) => Promise.resolve(objects.get(key(resource, ns, name))),
    put: (resource, o) => objects.set(key(resource, o.metadata.namespace, o.metadata.name!), o),
    remove: (resource, ns, name) => objects.delete(key(resource, ns, name)),
  };
}

export function decodeClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
}
