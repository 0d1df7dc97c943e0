// Discovery documents, legacy (APIVersions, APIGroupList, APIGroup, APIResourceList) and
// aggregated (apidiscovery.k8s.io/v2 APIGroupDiscoveryList, which kubectl 1.31 asks for first),
// built from the resource table. `kubectl api-resources` and `kubectl get all` read these.
import { createHash } from 'node:crypto';
import type { ResourceStrategy } from '../registry/strategy.js';
import { ALL_VERBS } from '../registry/strategy.js';
import { subresourcesOf } from './subresources.js';
import { compareKubeVersions } from './version-priority.js';

export { negotiateDiscovery, DISCOVERY_CONTENT_TYPES, type DiscoveryFormat } from './negotiate.js';

/** Upstream's group order in /apis (kube-apiserver's group priorities); unknown groups go last. */
const GROUP_ORDER = [
  'apiregistration.k8s.io',
  'apps',
  'events.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'networking.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'scheduling.k8s.io',
  'coordination.k8s.io',
  'node.k8s.io',
  'discovery.k8s.io',
  'flowcontrol.apiserver.k8s.io',
];

/** Version upstream prefers where a group serves several; otherwise the newest listed wins. */
const PREFERRED_VERSION: Record<string, string> = { autoscaling: 'v2' };

/**
 * storageVersionHash as upstream computes it: base64 of the first 8 bytes of
 * sha256("<group>/<version>/<kind>"). Clients only compare it for changes.
 */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256')
    .update(`${group}/${version}/${kind}`)
    .digest()
    .subarray(0, 8)
    .toString('base64');
}

export interface GroupVersion {
  group: string;
  version: string;
  strategies: ResourceStrategy[];
}

export interface DiscoveryDocs {
  /** /api */
  apiVersions: object;
  /** /apis */
  groupList: object;
  /** group name → /apis/<group> (APIGroup) */
  groups: Map<string, object>;
  /** 'v1' (core) or 'apps/v1' → APIResourceList for /api/v1 or /apis/apps/v1 */
  resourceLists: Map<string, object>;
  /** /api with the aggregated Accept */
  aggregatedCore: object;
  /** /apis with the aggregated Accept */
  aggregatedGroups: object;
}

const byName =
  <T>(name: (x: T) => string) =>
  (a: T, b: T) =>
    name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0;

/** Group-versions in first-seen order, each with its strategies sorted by resource. */
export function groupVersions(strategies: ResourceStrategy[]): GroupVersion[] {
  const byGV = new Map<string, GroupVersion>();
  for (const st of strategies) {
    const key = `${st.group}/${st.version}`;
    if (!byGV.has(key)) byGV.set(key, { group: st.group, version: st.version, strategies: [] });
    byGV.get(key)!.strategies.push(st);
  }
  for (const gv of byGV.values()) gv.strategies.sort(byName((s) => s.resource));
  return [...byGV.values()];
}

function orderedGroups(gvs: GroupVersion[]): { name: string; versions: GroupVersion[] }[] {
  const rank = (g: string) => (GROUP_ORDER.includes(g) ? GROUP_ORDER.indexOf(g) : GROUP_ORDER.length);
  const names = [...new Set(gvs.filter((g) => g.group !== '').map((g) => g.group))];
  names.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
  return names.map((name) => {
    const pref = PREFERRED_VERSION[name];
    const versions = gvs
      .filter((g) => g.group === name)
      .sort((a, b) =>
        a.version === pref ? -1 : b.version === pref ? 1 : compareKubeVersions(a.version, b.version),
      );
    return { name, versions };
  });
}

function legacyResources(gv: GroupVersion): object[] {
  const out: { name: string }[] = [];
  for (const st of gv.strategies) {
    const r: { name: string } & Record<string, unknown> = {
      name: st.resource,
      singularName: st.singularName ?? st.kind.toLowerCase(),
      namespaced: st.namespaced,
      kind: st.kind,
      verbs: st.verbs ?? ALL_VERBS,
    };
    if (st.shortNames?.length) r.shortNames = st.shortNames;
    if (st.categories?.length) r.categories = st.categories;
    r.storageVersionHash = storageVersionHash(st.group, st.version, st.kind);
    out.push(r);
    for (const sub of subresourcesOf(st)) {
      const s: { name: string } & Record<string, unknown> = {
        name: `${st.resource}/${sub.name}`,
        singularName: '',
        namespaced: st.namespaced,
      };
      if (sub.group) s.group = sub.group;
      if (sub.version) s.version = sub.version;
      s.kind = sub.kind;
      s.verbs = sub.verbs;
      out.push(s);
    }
  }
  return out.sort(byName((r) => r.name));
}

function aggregatedResources(gv: GroupVersion): object[] {
  return gv.strategies.map((st) => {
    const r: Record<string, unknown> = {
      resource: st.resource,
      responseKind: { group: '', version: '', kind: st.kind },
      scope: st.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: st.singularName ?? st.kind.toLowerCase(),
      verbs: st.verbs ?? ALL_VERBS,
    };
    if (st.shortNames?.length) r.shortNames = st.shortNames;
    if (st.categories?.length) r.categories = st.categories;
    const subs = subresourcesOf(st).map((sub) => ({
      subresource: sub.name,
      responseKind: { group: sub.group ?? '', version: sub.version ?? '', kind: sub.kind },
      verbs: sub.verbs,
    }));
    if (subs.length) r.subresources = subs;
    return r;
  });
}

function aggregatedGroup(name: string, versions: GroupVersion[]): object {
  // metav1.ObjectMeta omits an empty name; creationTimestamp is always printed (as null)
  return {
    metadata: name ? { name, creationTimestamp: null } : { creationTimestamp: null },
    versions: versions.map((v) => ({
      version: v.version,
      resources: aggregatedResources(v),
      freshness: 'Current',
    })),
  };
}

function aggregatedList(items: object[]): object {
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}

/**
 * All discovery documents for a resource table. `serverAddress` is host:port as clients reach
 * the server (it goes into serverAddressByClientCIDRs).
 */
export function buildDiscovery(strategies: ResourceStrategy[], serverAddress: string): DiscoveryDocs {
  const gvs = groupVersions(strategies);
  const core = gvs.filter((g) => g.group === '');
  const groups = orderedGroups(gvs);
  const resourceLists = new Map<string, object>();
  for (const gv of gvs) {
    const groupVersion = gv.group ? `${gv.group}/${gv.version}` : gv.version;
    resourceLists.set(groupVersion, {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion,
      resources: legacyResources(gv),
    });
  }
  const groupDoc = (g: { name: string; versions: GroupVersion[] }) => {
    const versions = g.versions.map((v) => ({ groupVersion: `${g.name}/${v.version}`, version: v.version }));
    return { name: g.name, versions, preferredVersion: versions[0] };
  };
  return {
    apiVersions: {
      kind: 'APIVersions',
      versions: core.map((c) => c.version),
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    },
    groupList: { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(groupDoc) },
    groups: new Map(groups.map((g) => [g.name, { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(g) }])),
    resourceLists,
    aggregatedCore: aggregatedList(core.length ? [aggregatedGroup('', core)] : []),
    aggregatedGroups: aggregatedList(groups.map((g) => aggregatedGroup(g.name, g.versions))),
  };
}
