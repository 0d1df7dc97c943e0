// What the garbage collector watches and how it addresses objects (upstream's GraphBuilder
// monitors and RESTMapper): every resource discovery shows with list, watch and delete, one
// version per group and resource; and a kind → resource mapping to GET/PATCH/DELETE owners
// that were only named in ownerReferences.
import { collectionPath, discoverResources, type DiscoveredResource } from '../../client/discovery.js';
import type { RestClient } from '../../client/rest.js';

/** Never part of the graph (upstream's DefaultIgnoredResources): events are not owned. */
const IGNORED = new Set(['/events', 'events.k8s.io/events']);

export interface MonitoredResource {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  /** collection path across namespaces, e.g. /apis/apps/v1/replicasets */
  path: string;
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export class ResourceMap {
  /** `${group}/${kind}` → served versions, preferred first */
  private readonly byKind = new Map<string, DiscoveredResource[]>();
  /** resources to watch: one (the preferred) version per group and resource */
  readonly monitored: MonitoredResource[] = [];

  constructor(resources: DiscoveredResource[]) {
    const seen = new Set<string>();
    for (const r of resources) {
      const kindKey = `${r.group}/${r.kind}`;
      let list = this.byKind.get(kindKey);
      if (!list) this.byKind.set(kindKey, (list = []));
      list.push(r);
      const grKey = `${r.group}/${r.name}`;
      if (seen.has(grKey)) continue;
      seen.add(grKey);
      if (IGNORED.has(grKey)) continue;
      if (!['list', 'watch', 'delete'].every((v) => r.verbs.includes(v))) continue;
      this.monitored.push({
        group: r.group,
        version: r.version,
        resource: r.name,
        kind: r.kind,
        namespaced: r.namespaced,
        path: collectionPath(r),
      });
    }
  }

  static async discover(client: RestClient): Promise<ResourceMap> {
    return new ResourceMap(await discoverResources(client));
  }

  /**
   * How to reach objects of `apiVersion`/`kind`: the version asked for when served, else the
   * group's preferred one (ownerReferences may name an older version). Undefined when unknown.
   */
  resolve(
    apiVersion: string,
    kind: string,
  ): { namespaced: boolean; objectPath(ns: string, name: string): string } | undefined {
    const { group, version } = splitApiVersion(apiVersion);
    const list = this.byKind.get(`${group}/${kind}`);
    if (!list?.length) return undefined;
    const r = list.find((x) => x.version === version) ?? list[0];
    return {
      namespaced: r.namespaced,
      objectPath: (ns, name) =>
        `${collectionPath(r, r.namespaced ? ns : undefined)}/${encodeURIComponent(name)}`,
    };
  }
}
