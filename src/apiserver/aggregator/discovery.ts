// Discovery of aggregated groups, layered over the API server's own documents (the hook is one
// wrapper around the DocumentServer, like the issuer discovery): /apis lists the groups of
// remote APIServices (legacy APIGroupList, from the APIService objects) and their resources
// (aggregated APIGroupDiscoveryList, from each extension server's discovery document, fetched by
// the availability check; a group version whose last check failed is marked Stale, one never
// fetched is left out). /apis/<group> answers the APIGroup; /apis/<group>/<version> is proxied.
import type { KubeObject } from '../../api/types.js';
import { isRecord } from '../../api/types.js';
import { negotiateDiscovery } from '../discovery/discovery.js';
import type { DocumentServer, ServedDocument } from '../handler.js';
import { specOf } from '../registry/apiregistration/apiservices.js';

export interface RemoteGroupVersion {
  group: string;
  version: string;
  groupPriority: number;
  versionPriority: number;
  /** The extension server's APIResourceList from the last passed check. */
  discovery?: unknown;
  /** The last check failed after a document had been fetched. */
  stale: boolean;
}

export interface RemoteGroups {
  /** Remote group versions, by APIService name. */
  all(): RemoteGroupVersion[];
}

export function remoteGroupVersion(o: KubeObject, discovery: unknown, stale: boolean): RemoteGroupVersion {
  const s = specOf(o);
  return {
    group: s.group ?? '',
    version: s.version ?? '',
    groupPriority: s.groupPriorityMinimum ?? 0,
    versionPriority: s.versionPriority ?? 0,
    discovery,
    stale,
  };
}

function byGroup(gvs: RemoteGroupVersion[]): { name: string; versions: RemoteGroupVersion[] }[] {
  const groups = new Map<string, RemoteGroupVersion[]>();
  for (const gv of gvs) groups.set(gv.group, [...(groups.get(gv.group) ?? []), gv]);
  const out = [...groups].map(([name, versions]) => ({
    name,
    versions: versions.sort(
      (a, b) => b.versionPriority - a.versionPriority || (a.version < b.version ? 1 : -1),
    ),
  }));
  const priority = (g: { versions: RemoteGroupVersion[] }) =>
    Math.max(...g.versions.map((v) => v.groupPriority));
  return out.sort((a, b) => priority(b) - priority(a) || (a.name < b.name ? -1 : 1));
}

function apiGroup(g: { name: string; versions: RemoteGroupVersion[] }) {
  const versions = g.versions.map((v) => ({ groupVersion: `${g.name}/${v.version}`, version: v.version }));
  return { name: g.name, versions, preferredVersion: versions[0] };
}

interface LegacyResource {
  name: string;
  singularName?: string;
  namespaced?: boolean;
  kind?: string;
  group?: string;
  version?: string;
  verbs?: string[];
  shortNames?: string[];
  categories?: string[];
}

/** An APIResourceList's entries in the aggregated (apidiscovery v2) shape. */
export function aggregatedResources(list: unknown): object[] {
  const entries = (isRecord(list) && Array.isArray(list.resources) ? list.resources : []) as LegacyResource[];
  const out = new Map<string, Record<string, unknown>>();
  for (const r of entries.filter((e) => !e.name.includes('/'))) {
    const a: Record<string, unknown> = {
      resource: r.name,
      responseKind: { group: r.group ?? '', version: r.version ?? '', kind: r.kind ?? '' },
      scope: r.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: r.singularName || (r.kind ?? '').toLowerCase(),
      verbs: r.verbs ?? [],
    };
    if (r.shortNames?.length) a.shortNames = r.shortNames;
    if (r.categories?.length) a.categories = r.categories;
    out.set(r.name, a);
  }
  for (const r of entries.filter((e) => e.name.includes('/'))) {
    const [parent, sub] = r.name.split('/');
    const a = out.get(parent!);
    if (!a) continue;
    const subs = (a.subresources ??= []) as object[];
    subs.push({
      subresource: sub,
      responseKind: { group: r.group ?? '', version: r.version ?? '', kind: r.kind ?? '' },
      verbs: r.verbs ?? [],
    });
  }
  return [...out.values()];
}

function withBody(doc: ServedDocument, body: object): ServedDocument {
  return { ...doc, body: JSON.stringify(body) };
}

function parse(doc: ServedDocument): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(
      typeof doc.body === 'string' ? doc.body : Buffer.from(doc.body).toString('utf8'),
    );
    return isRecord(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export function withAggregatedDiscovery(inner: DocumentServer, remote: RemoteGroups): DocumentServer {
  return {
    serve(path, accept, query) {
      const doc = inner.serve(path, accept, query);
      const p = path.replace(/\/+$/, '') || '/';
      const gvs = remote.all();
      if (!gvs.length) return doc;
      if (p === '/apis' && doc && doc.status === 200) {
        const body = parse(doc);
        if (!body) return doc;
        if (negotiateDiscovery(accept) === 'legacy') {
          const groups = (body.groups ?? []) as { name: string }[];
          const known = new Set(groups.map((g) => g.name));
          const added = byGroup(gvs.filter((gv) => !known.has(gv.group))).map(apiGroup);
          return withBody(doc, { ...body, groups: [...groups, ...added] });
        }
        const items = (body.items ?? []) as { metadata?: { name?: string } }[];
        const known = new Set(items.map((i) => i.metadata?.name));
        const added = byGroup(gvs.filter((gv) => !known.has(gv.group) && gv.discovery !== undefined)).map(
          (g) => ({
            metadata: { name: g.name, creationTimestamp: null },
            versions: g.versions
              .filter((v) => v.discovery !== undefined)
              .map((v) => ({
                version: v.version,
                resources: aggregatedResources(v.discovery),
                freshness: v.stale ? 'Stale' : 'Current',
              })),
          }),
        );
        return withBody(doc, { ...body, items: [...items, ...added] });
      }
      const m = /^\/apis\/([^/]+)$/.exec(p);
      if (m && !doc) {
        const g = byGroup(gvs.filter((gv) => gv.group === m[1]))[0];
        if (g)
          return {
            status: 200,
            contentType: 'application/json',
            body: JSON.stringify({ kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g) }),
          };
      }
      return doc;
    },
  };
}
