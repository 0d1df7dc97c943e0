// Discovery documents, legacy (APIVersions, APIGroupList, APIResourceList) and aggregated
// (apidiscovery.k8s.io/v2 APIGroupDiscoveryList, which kubectl 1.31 asks for first), built
// from the resource table. `kubectl api-resources` and `kubectl get all` read these.
import { createHash } from 'node:crypto';
import type { ResourceStrategy } from '../registry/strategy.js';
import { ALL_VERBS } from '../registry/strategy.js';

/** Upstream's group order in /apis (kube-apiserver's priority list). */
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

/** Preferred version where a group serves several (upstream prefers autoscaling/v2). */
const PREFERRED: Record<string, string> = { autoscaling: 'v2' };

interface Subresource {
  name: string;
  kind: string;
  group?: string;
  version?: string;
  verbs: string[];
}

/** Subresources beyond status/scale that upstream lists (served by later issues where noted in docs/status.md). */
const EXTRA_SUBRESOURCES: Record<string, Subresource[]> = {
  '/pods': [
    { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
    { name: 'binding', kind: 'Binding', verbs: ['create'] },
    { name: 'ephemeralcontainers', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
    { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
    { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'log', kind: 'Pod', verbs: ['get'] },
    { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
    { name: 'proxy', kind: 'PodProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
  ],
  '/namespaces': [{ name: 'finalize', kind: 'Namespace', verbs: ['update'] }],
  '/serviceaccounts': [
    { name: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] },
  ],
  '/nodes': [
    { name: 'proxy', kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
  ],
  '/services': [
    { name: 'proxy', kind: 'ServiceProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
  ],
  'certificates.k8s.io/certificatesigningrequests': [
    { name: 'approval', kind: 'CertificateSigningRequest', verbs: ['get', 'patch', 'update'] },
  ],
};

function subresourcesOf(st: ResourceStrategy): Subresource[] {
  const out: Subresource[] = [...(EXTRA_SUBRESOURCES[`${st.group}/${st.resource}`] ?? [])];
  if (st.scale)
    out.push({
      name: 'scale',
      kind: 'Scale',
      group: 'autoscaling',
      version: 'v1',
      verbs: ['get', 'patch', 'update'],
    });
  if (st.status) out.push({ name: 'status', kind: st.kind, verbs: ['get', 'patch', 'update'] });
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256').update(`${group}/${version}/${kind}`).digest('base64').slice(0, 11) + '=';
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
  /** '' (core) or group name → /apis/<group> */
  groups: Map<string, object>;
  /** 'v1' (core) or 'apps/v1' → APIResourceList */
  resourceLists: Map<string, object>;
  aggregatedCore: object;
  aggregatedGroups: object;
}

export function groupVersions(strategies: ResourceStrategy[]): GroupVersion[] {
  const byGV = new Map<string, GroupVersion>();
  for (const st of strategies) {
    const key = `${st.group}/${st.version}`;
    if (!byGV.has(key)) byGV.set(key, { group: st.group, version: st.version, strategies: [] });
    byGV.get(key)!.strategies.push(st);
  }
  return [...byGV.values()];
}

function orderedGroups(gvs: GroupVersion[]): { name: string; versions: GroupVersion[] }[] {
  const names = [...new Set(gvs.filter((g) => g.group !== '').map((g) => g.group))];
  names.sort((a, b) => {
    const ia = GROUP_ORDER.indexOf(a);
    const ib = GROUP_ORDER.indexOf(b);
    return (ia < 0 ? 999 : ia) - (ib < 0 ? 999 : ib) || (a < b ? -1 : 1);
  });
  return names.map((name) => {
    const versions = gvs.filter((g) => g.group === name);
    const pref = PREFERRED[name];
    versions.sort((a, b) =>
      a.version === pref ? -1 : b.version === pref ? 1 : a.version < b.version ? 1 : -1,
    );
    return { name, versions };
  });
}

function legacyResources(gv: GroupVersion): object[] {
  const out: object[] = [];
  for (const st of gv.strategies) {
    const r: Record<string, unknown> = {
      name: st.resource,
      singularName: st.kind.toLowerCase(),
      namespaced: st.namespaced,
      kind: st.kind,
      verbs: st.verbs ?? ALL_VERBS,
    };
    if (st.shortNames?.length) r.shortNames = st.shortNames;
    if (st.categories?.length) r.categories = st.categories;
    r.storageVersionHash = storageVersionHash(st.group, st.version, st.kind);
    out.push(r);
    for (const sub of subresourcesOf(st)) {
      const s: Record<string, unknown> = {
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
  return out;
}

function aggregatedResources(gv: GroupVersion): object[] {
  return gv.strategies.map((st) => {
    const r: Record<string, unknown> = {
      resource: st.resource,
      responseKind: { group: '', version: '', kind: st.kind },
      scope: st.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: st.kind.toLowerCase(),
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
  const groupMap = new Map<string, object>();
  for (const g of groups) groupMap.set(g.name, { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(g) });
  const aggregatedGroupEntry = (name: string, versions: GroupVersion[]) => ({
    metadata: { name, creationTimestamp: null },
    versions: versions.map((v) => ({
      version: v.version,
      resources: aggregatedResources(v),
      freshness: 'Current',
    })),
  });
  return {
    apiVersions: {
      kind: 'APIVersions',
      versions: core.map((c) => c.version),
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    },
    groupList: { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(groupDoc) },
    groups: groupMap,
    resourceLists,
    aggregatedCore: {
      kind: 'APIGroupDiscoveryList',
      apiVersion: 'apidiscovery.k8s.io/v2',
      metadata: {},
      items: core.length ? [aggregatedGroupEntry('', core)] : [],
    },
    aggregatedGroups: {
      kind: 'APIGroupDiscoveryList',
      apiVersion: 'apidiscovery.k8s.io/v2',
      metadata: {},
      items: groups.map((g) => aggregatedGroupEntry(g.name, g.versions)),
    },
  };
}

export type DiscoveryFormat = 'aggregated-v2' | 'aggregated-v2beta1' | 'legacy';

/** Which discovery document the Accept header asks for. */
export function negotiateDiscovery(accept: string | undefined): DiscoveryFormat {
  for (const part of (accept ?? '').split(',')) {
    const p = part.replace(/\s+/g, '');
    if (!p.includes('as=APIGroupDiscoveryList') || !p.includes('g=apidiscovery.k8s.io')) continue;
    if (p.includes('v=v2beta1')) return 'aggregated-v2beta1';
    if (p.includes('v=v2;') || p.endsWith('v=v2')) return 'aggregated-v2';
  }
  return 'legacy';
}
