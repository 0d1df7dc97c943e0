// --encryption-provider-config: upstream's EncryptionConfiguration (apiserver.config.k8s.io/v1),
// parsed and validated with upstream's messages
// (k8s.io/apiserver/pkg/apis/apiserver/validation/validation_encryption.go).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import {
  aescbcTransformer,
  aesgcmTransformer,
  identityTransformer,
  ProviderChain,
  secretboxTransformer,
  type ValueTransformer,
} from './providers.js';
import { KmsClient } from './kms/client.js';
import { kmsV2Transformer, type KmsTransformer } from './kms/transformer.js';
import { parseDuration } from '../../util/duration.js';

const AES_KEY_SIZES = [16, 24, 32];
const SECRETBOX_KEY_SIZES = [32];
const PROVIDER_KINDS = ['kms', 'aesgcm', 'aescbc', 'secretbox', 'identity'] as const;

interface KeyConfig {
  name?: string;
  secret?: string;
}
interface ProviderConfig {
  aescbc?: { keys?: KeyConfig[] };
  aesgcm?: { keys?: KeyConfig[] };
  secretbox?: { keys?: KeyConfig[] };
  identity?: Record<string, never>;
  kms?: KmsConfig;
}
interface KmsConfig {
  apiVersion?: string;
  name?: string;
  endpoint?: string;
  cachesize?: number;
  timeout?: string;
}
interface ResourceConfig {
  resources?: string[];
  providers?: ProviderConfig[];
}

/** A group/resource as written in the file: 'secrets' → {'' , secrets}; '*.apps'; '*.*'; '*.' (all core). */
export interface GroupResource {
  group: string;
  resource: string;
}

export function parseGroupResource(s: string): GroupResource {
  const dot = s.indexOf('.');
  return dot < 0 ? { group: '', resource: s } : { group: s.slice(dot + 1), resource: s.slice(0, dot) };
}

/** Which chain encrypts which group/resource; lookup as upstream: exact, then <group> '*', then '*.*'. */
export class EncryptionConfig {
  constructor(
    private readonly overrides: Map<string, ProviderChain>,
    /** The kms providers, which talk to their plugins before the first use. */
    readonly kms: KmsTransformer[] = [],
    /**
     * How long a replaced configuration's kms providers stay connected for reads in flight
     * (upstream's KMSCloseGracePeriod: twice the sum of the kms timeouts).
     */
    readonly closeGracePeriodMs = 0,
  ) {}

  /** Asks every kms plugin for its status and a first key (throws: the server must not start). */
  async start(): Promise<void> {
    try {
      await Promise.all(this.kms.map((k) => k.start()));
    } catch (err) {
      this.stop();
      throw err;
    }
  }

  stop(): void {
    for (const k of this.kms) k.stop();
  }

  /**
   * upstream's `kms-providers` health check (KMS v2 only: one check for all plugins): each
   * plugin's probe in order, failures named `kms-provider-<i>`. Undefined without kms providers.
   */
  kmsHealthCheck(): (() => Promise<void>) | undefined {
    if (!this.kms.length) return undefined;
    return async () => {
      const results = await Promise.allSettled(this.kms.map((k) => k.check()));
      const errs = results.flatMap((r, i) =>
        r.status === 'rejected' ? [`kms-provider-${i}: ${(r.reason as Error).message}`] : [],
      );
      if (errs.length) throw new Error(errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
    };
  }

  chainFor(group: string, resource: string): ProviderChain | undefined {
    return (
      this.overrides.get(`${resource}.${group}`) ??
      this.overrides.get(`*.${group}`) ??
      this.overrides.get('*.*')
    );
  }

  /** The chain of '*.*' (for keys of resources the server does not know, e.g. future CRDs). */
  catchAll(): ProviderChain | undefined {
    return this.overrides.get('*.*');
  }
}

class FieldErrors {
  readonly list: string[] = [];
  required(path: string, detail: string) {
    this.list.push(`${path}: Required value: ${detail}`);
  }
  invalid(path: string, value: unknown, detail: string) {
    this.list.push(`${path}: Invalid value: ${JSON.stringify(value)}: ${detail}`);
  }
}

function validateResources(resources: string[], path: string, errs: FieldErrors): void {
  const parsed = resources.map(parseGroupResource);
  let duplicate = false;
  let overlap = false;
  for (let i = 0; i < parsed.length; i++)
    for (let j = 0; j < parsed.length; j++) {
      if (i === j) continue;
      const [a, b] = [parsed[i], parsed[j]];
      if (a.group === b.group && a.resource === b.resource) duplicate = true;
      else if (a.group === '*' && a.resource === '*') overlap = true;
      else if (a.group === b.group && (a.resource === '*' || b.resource === '*')) overlap = true;
    }
  if (duplicate) errs.invalid(path, resources, 'the same resource cannot be specified multiple times');
  if (overlap)
    errs.invalid(
      path,
      resources,
      "using overlapping resources such as 'secrets' and '*.' in the same resource list is not allowed as they will be masked",
    );
  resources.forEach((res, j) => {
    const p = `${path}[${j}]`;
    const gr = parsed[j];
    if (res.toLowerCase() !== res) errs.invalid(p, res, 'resource name should not contain capital letters');
    else if (res === '*')
      errs.invalid(
        p,
        res,
        "use '*.' to encrypt all the resources from core API group or *.* to encrypt all resources",
      );
    else if (['apiserveripinfo', 'serviceipallocations', 'servicenodeportallocations'].includes(res))
      errs.invalid(p, res, 'resources which do not have REST API/s cannot be encrypted');
    else if (gr.group === 'events.k8s.io')
      errs.invalid(
        p,
        res,
        "'*.events.k8s.io' objects are stored using the 'events' API group in etcd. Use 'events' instead in the config file",
      );
    else if (gr.group === 'extensions')
      errs.invalid(p, res, "'extensions' group has been removed and cannot be used for encryption");
    else if (gr.group === '*' && gr.resource !== '*')
      errs.invalid(p, res, 'encrypting the same resource across groups is not supported');
  });
}

function decodeKeys(keys: KeyConfig[] | undefined, path: string, sizes: number[], errs: FieldErrors) {
  const out: { name: string; secret: Buffer }[] = [];
  if (!keys?.length) {
    errs.required(path, 'at least one keys is required');
    return out;
  }
  keys.forEach((k, i) => {
    const p = `${path}[${i}]`;
    if (!k.name) errs.required(`${p}.name`, 'name is a mandatory field for a key');
    if (!k.secret) return errs.required(`${p}.secret`, 'secret is a mandatory field for a key');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(k.secret) || k.secret.length % 4 !== 0)
      return errs.invalid(`${p}.secret`, 'REDACTED', 'secrets must be base64 encoded');
    const secret = Buffer.from(k.secret, 'base64');
    if (!sizes.includes(secret.length))
      return errs.invalid(
        `${p}.secret`,
        'REDACTED',
        `secret is not of the expected length, got ${secret.length}, expected one of [${sizes.join(' ')}]`,
      );
    if (k.name) out.push({ name: k.name, secret });
  });
  return out;
}

function buildProvider(
  p: ProviderConfig,
  path: string,
  errs: FieldErrors,
  kmsNames: Set<string>,
  kmsTimeouts: number[],
): ValueTransformer[] {
  const present = PROVIDER_KINDS.filter(
    (k) => p && typeof p === 'object' && p[k] !== undefined && p[k] !== null,
  );
  if (present.length === 0) {
    errs.invalid(
      path,
      p,
      'provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity',
    );
    return [];
  }
  if (present.length > 1) {
    errs.invalid(
      path,
      p,
      'more than one provider specified in a single element, should split into different list elements',
    );
    return [];
  }
  switch (present[0]) {
    case 'identity':
      return [identityTransformer()];
    case 'aescbc':
      return decodeKeys(p.aescbc!.keys, `${path}.aescbc.keys`, AES_KEY_SIZES, errs).map((k) =>
        aescbcTransformer(k.name, k.secret),
      );
    case 'aesgcm':
      return decodeKeys(p.aesgcm!.keys, `${path}.aesgcm.keys`, AES_KEY_SIZES, errs).map((k) =>
        aesgcmTransformer(k.name, k.secret),
      );
    case 'secretbox':
      return decodeKeys(p.secretbox!.keys, `${path}.secretbox.keys`, SECRETBOX_KEY_SIZES, errs).map((k) =>
        secretboxTransformer(k.name, k.secret),
      );
    case 'kms':
      return kmsProvider(p.kms!, `${path}.kms`, errs, kmsNames, kmsTimeouts);
  }
}

/** validateKMSConfiguration, for apiVersion v2 (KMS v1 is off by default since 1.29, as here). */
function kmsProvider(
  k: KmsConfig,
  path: string,
  errs: FieldErrors,
  names: Set<string>,
  timeouts: number[],
): ValueTransformer[] {
  const apiVersion = k.apiVersion ?? 'v1';
  if (apiVersion !== 'v2') {
    if (apiVersion === 'v1')
      errs.invalid(
        `${path}.apiVersion`,
        apiVersion,
        'KMSv1 is deprecated and will only receive security updates going forward. Use KMSv2 instead. k8ts does not implement KMSv1',
      );
    else
      errs.invalid(
        `${path}.apiVersion`,
        apiVersion,
        'unsupported apiVersion apiVersion for KMS provider, only v1 and v2 are supported',
      );
  }
  if (!k.name) errs.required(`${path}.name`, 'name is a required field for a kms provider');
  else if (k.name.includes(':')) errs.invalid(`${path}.name`, k.name, 'should not contain ":"');
  else if (names.has(k.name))
    errs.invalid(
      `${path}.name`,
      k.name,
      `duplicate kms provider name ${JSON.stringify(k.name)}, names must be unique`,
    );
  if (k.cachesize !== undefined)
    errs.invalid(`${path}.cachesize`, k.cachesize, 'cachesize is not supported in v2');
  if (!k.endpoint) errs.required(`${path}.endpoint`, 'endpoint is a required field for a kms provider');
  else if (!k.endpoint.startsWith('unix://') || k.endpoint.length <= 'unix://'.length)
    errs.invalid(
      `${path}.endpoint`,
      k.endpoint,
      'unsupported scheme "" for KMS provider, only unix is supported',
    );
  let timeoutMs = 3000;
  if (k.timeout !== undefined) {
    try {
      timeoutMs = parseDuration(String(k.timeout), `${path}.timeout`);
    } catch {
      timeoutMs = -1;
    }
    if (!(timeoutMs > 0)) errs.invalid(`${path}.timeout`, k.timeout, 'timeout should be a positive value');
  }
  if (errs.list.length || !k.name || !k.endpoint || apiVersion !== 'v2') return [];
  names.add(k.name);
  timeouts.push(timeoutMs);
  return [kmsV2Transformer(k.name, new KmsClient(k.endpoint, timeoutMs, k.name))];
}

/** Parses and validates a configuration document; throws one Error listing every problem. */
export function parseEncryptionConfiguration(
  text: string,
  source = 'encryption provider configuration',
): EncryptionConfig {
  let doc: { apiVersion?: string; kind?: string; resources?: ResourceConfig[] };
  try {
    doc = (parse(text) ?? {}) as typeof doc;
  } catch (err) {
    throw new Error(`error decoding ${source}: ${(err as Error).message}`);
  }
  if (doc.kind !== 'EncryptionConfiguration' || doc.apiVersion !== 'apiserver.config.k8s.io/v1')
    throw new Error(
      `error decoding ${source}: no kind "${doc.kind ?? ''}" is registered for version "${doc.apiVersion ?? ''}" (want kind EncryptionConfiguration, apiVersion apiserver.config.k8s.io/v1)`,
    );
  const errs = new FieldErrors();
  const overrides = new Map<string, ProviderChain>();
  const kmsNames = new Set<string>();
  const kmsTimeouts: number[] = [];
  const resources = Array.isArray(doc.resources) ? doc.resources : [];
  if (!resources.length) errs.required('resources', 'at least one resources is required');
  resources.forEach((rc, i) => {
    const rPath = `resources[${i}].resources`;
    const pPath = `resources[${i}].providers`;
    const names = Array.isArray(rc?.resources) ? rc.resources.map(String) : [];
    if (!names.length) errs.required(rPath, `at least one ${rPath} is required`);
    validateResources(names, rPath, errs);
    const providers = Array.isArray(rc?.providers) ? rc.providers : [];
    if (!providers.length) errs.required(pPath, `at least one ${pPath} is required`);
    const transformers = providers.flatMap((p, j) =>
      buildProvider(p, `${pPath}[${j}]`, errs, kmsNames, kmsTimeouts),
    );
    if (!transformers.length) return;
    const chain = new ProviderChain(transformers);
    for (const name of names) {
      const gr = parseGroupResource(name);
      const key = `${gr.resource}.${gr.group}`;
      // the first entry naming a resource wins, as upstream
      if (!overrides.has(key)) overrides.set(key, chain);
    }
  });
  const kms = [...new Set([...overrides.values()])].flatMap((c) =>
    c.transformers.filter((t): t is KmsTransformer => 'start' in t),
  );
  if (errs.list.length) {
    for (const k of kms) k.stop();
    throw new Error(
      `error while parsing ${source}: ${errs.list.length === 1 ? errs.list[0] : `[${errs.list.join(', ')}]`}`,
    );
  }
  const grace = 2 * kmsTimeouts.reduce((a, b) => a + b, 0);
  return new EncryptionConfig(overrides, kms, grace);
}

/** The file's bytes (upstream's loadDataAndHash refuses an empty file). */
export function readEncryptionConfigurationFile(path: string): Buffer {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (err) {
    throw new Error(
      `error reading encryption provider configuration file "${path}": ${(err as Error).message}`,
    );
  }
  if (!data.length) throw new Error(`encryption provider configuration file "${path}" is empty`);
  return data;
}

/** Parses the configuration file's bytes, naming the file in errors. */
export function parseEncryptionConfigurationFile(path: string, data: Buffer): EncryptionConfig {
  return parseEncryptionConfiguration(
    data.toString('utf8'),
    `encryption provider configuration file "${path}"`,
  );
}

export function loadEncryptionConfiguration(path: string): EncryptionConfig {
  return parseEncryptionConfigurationFile(path, readEncryptionConfigurationFile(path));
}
