// k3s's auto-deploying manifests: at start the server writes its packaged add-ons (coredns,
// local-storage)
// into <data-dir>/server/manifests and applies every *.yaml, *.yml and *.json file there.
// As in k3s, a packaged file is rewritten at each start unless `<file>.skip` exists, and a
// disabled one (--disable coredns) is removed together with the objects it made. Applying
// creates what is missing and leaves existing objects alone, so edits made with kubectl
// (a scaled Deployment, a customised Corefile) survive restarts.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { StatusError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import type { RestClient } from '../client/rest.js';
import { logger } from '../util/log.js';
import { COREDNS_MANIFEST, corednsManifest } from './coredns.js';
import { LOCAL_STORAGE_MANIFEST, localStorageManifest } from './local-storage.js';
import { INGRESS_MANIFEST, ingressManifest } from './ingress.js';
import { KUBELET_CONFIG_RBAC_MANIFEST, kubeletConfigRBACManifest } from './kubelet-config.js';
import { K3S_CONTROLLER_RBAC_MANIFEST, k3sControllerRBACManifest } from './k3s-controller.js';

const log = logger('deploy');

/** The add-ons --disable can name (k3s also packages traefik, servicelb, local-storage, metrics-server). */
export const PACKAGED_COMPONENTS = ['coredns', 'local-storage', 'ingress'] as const;

export function manifestsDir(dataDir: string): string {
  return join(dataDir, 'server', 'manifests');
}

/** k3s's --disable: repeatable and comma-separated; an unknown name is refused at start. */
export function parseDisable(values: string[]): Set<string> {
  const out = new Set<string>();
  for (const v of values)
    for (const name of v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      if (!(PACKAGED_COMPONENTS as readonly string[]).includes(name))
        throw new Error(`invalid --disable "${name}": want one of ${PACKAGED_COMPONENTS.join(', ')}`);
      out.add(name);
    }
  return out;
}

export interface StagedManifests {
  /** Objects of packaged manifests that were disabled and removed from disk: to be deleted. */
  removed: KubeObject[];
}

/** Writes (or removes, when disabled) the packaged manifests; returns what a disable removed. */
export function stagePackagedManifests(
  dir: string,
  o: { disable: Set<string>; clusterDomain: string; storageDir: string },
): StagedManifests {
  mkdirSync(dir, { recursive: true });
  const packaged: [string, string, string][] = [
    ['coredns', COREDNS_MANIFEST, corednsManifest({ clusterDomain: o.clusterDomain })],
    ['local-storage', LOCAL_STORAGE_MANIFEST, localStorageManifest({ storageDir: o.storageDir })],
    ['ingress', INGRESS_MANIFEST, ingressManifest()],
    // not a --disable component: nodes reading their cluster-wide configuration is no add-on
    ['kubelet-config', KUBELET_CONFIG_RBAC_MANIFEST, kubeletConfigRBACManifest()],
    // nor is what the agent's network policy controller may read (k3s's rolebindings.yaml)
    ['k3s-controller', K3S_CONTROLLER_RBAC_MANIFEST, k3sControllerRBACManifest()],
  ];
  const removed: KubeObject[] = [];
  for (const [component, file, text] of packaged) {
    const path = join(dir, file);
    if (o.disable.has(component)) {
      if (existsSync(path)) {
        removed.push(...parseManifest(readFileSync(path, 'utf8'), path));
        rmSync(path);
      }
      continue;
    }
    if (existsSync(path + '.skip')) continue;
    writeFileSync(path, text);
  }
  return { removed };
}

export function parseManifest(text: string, source: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`${source}: ${doc.errors[0].message}`);
    const obj = doc.toJS() as KubeObject | null;
    if (!obj) continue;
    if (!obj.apiVersion || !obj.kind || !obj.metadata?.name)
      throw new Error(`${source}: an object needs apiVersion, kind and metadata.name`);
    out.push(obj);
  }
  return out;
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

/** Maps apiVersion+kind to a REST path through discovery, as kubectl's RESTMapper does. */
class ResourcePaths {
  private readonly lists = new Map<string, ApiResource[]>();
  constructor(private readonly client: RestClient) {}

  async path(obj: KubeObject, withName: boolean): Promise<string> {
    const gv = obj.apiVersion ?? '';
    let list = this.lists.get(gv);
    if (!list) {
      const base = gv.includes('/') ? `/apis/${gv}` : `/api/${gv}`;
      const answer = await this.client.request<{ resources: ApiResource[] }>('GET', base);
      list = answer.resources.filter((r) => !r.name.includes('/'));
      this.lists.set(gv, list);
    }
    const r = list.find((x) => x.kind === obj.kind);
    if (!r) throw new Error(`no resource for kind "${obj.kind}" in ${gv}`);
    const base = gv.includes('/') ? `/apis/${gv}` : `/api/${gv}`;
    const ns = r.namespaced ? `/namespaces/${obj.metadata.namespace ?? 'default'}` : '';
    return `${base}${ns}/${r.name}${withName ? `/${obj.metadata.name}` : ''}`;
  }
}

function describe(o: KubeObject): string {
  return `${o.kind} ${o.metadata.namespace ? o.metadata.namespace + '/' : ''}${o.metadata.name}`;
}

export interface ApplyResult {
  created: string[];
  existing: string[];
  deleted: string[];
  failed: { object: string; error: string }[];
}

/** Creates every missing object of the manifests in dir; deletes `removed` (disabled add-ons). */
export async function applyManifests(
  client: RestClient,
  dir: string,
  removed: KubeObject[] = [],
): Promise<ApplyResult> {
  const result: ApplyResult = { created: [], existing: [], deleted: [], failed: [] };
  const paths = new ResourcePaths(client);
  for (const o of removed) {
    try {
      await client.request('DELETE', await paths.path(o, true), {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        propagationPolicy: 'Background',
      });
      result.deleted.push(describe(o));
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404))
        result.failed.push({ object: describe(o), error: (err as Error).message });
    }
  }
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /\.(ya?ml|json)$/.test(f) && !existsSync(join(dir, f + '.skip')))
        .sort()
    : [];
  for (const f of files) {
    let objects: KubeObject[];
    try {
      objects = parseManifest(readFileSync(join(dir, f), 'utf8'), f);
    } catch (err) {
      result.failed.push({ object: f, error: (err as Error).message });
      continue;
    }
    for (const o of objects) {
      try {
        await client.request('GET', await paths.path(o, true));
        result.existing.push(describe(o));
        continue;
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) {
          result.failed.push({ object: describe(o), error: (err as Error).message });
          continue;
        }
      }
      try {
        await client.request('POST', await paths.path(o, false), o);
        result.created.push(describe(o));
      } catch (err) {
        // 409: made meanwhile (another server of an HA cluster): it exists, which is the goal
        if (err instanceof StatusError && err.code === 409) result.existing.push(describe(o));
        else result.failed.push({ object: describe(o), error: (err as Error).message });
      }
    }
  }
  return result;
}

/** applyManifests with retries (a failure may be a namespace or CRD not there yet). */
export async function deployManifests(
  client: RestClient,
  dir: string,
  removed: KubeObject[],
  o: { attempts?: number; delayMs?: number; stopped?: () => boolean } = {},
): Promise<ApplyResult> {
  const attempts = o.attempts ?? 10;
  let last: ApplyResult | undefined;
  for (let i = 0; i < attempts && !o.stopped?.(); i++) {
    last = await applyManifests(client, dir, i === 0 ? removed : []);
    if (last.created.length || last.deleted.length)
      log.info('manifests applied', { created: last.created, deleted: last.deleted });
    if (!last.failed.length) return last;
    log.warn('manifests not applied yet; retrying', { failed: last.failed });
    await new Promise((r) => setTimeout(r, o.delayMs ?? 3000).unref());
  }
  return last ?? { created: [], existing: [], deleted: [], failed: [] };
}
