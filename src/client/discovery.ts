// Legacy discovery through the API (what `kubectl api-resources` reads): every served
// group-version and its resources.
import type { RestClient } from './rest.js';

export interface DiscoveredResource {
  group: string;
  version: string;
  name: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
}

interface APIResourceList {
  groupVersion: string;
  resources: { name: string; namespaced: boolean; kind: string; verbs: string[] }[];
}

export async function discoverResources(client: RestClient): Promise<DiscoveredResource[]> {
  const paths = ['/api/v1'];
  const groups = await client.request<{
    groups: { preferredVersion: { groupVersion: string }; versions: { groupVersion: string }[] }[];
  }>('GET', '/apis');
  for (const g of groups.groups) for (const v of g.versions) paths.push(`/apis/${v.groupVersion}`);
  const lists = await Promise.all(paths.map((p) => client.request<APIResourceList>('GET', p)));
  const out: DiscoveredResource[] = [];
  for (const list of lists) {
    const [group, version] = list.groupVersion.includes('/')
      ? list.groupVersion.split('/')
      : ['', list.groupVersion];
    for (const r of list.resources) {
      if (r.name.includes('/')) continue;
      out.push({ group, version, name: r.name, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs });
    }
  }
  return out;
}

export function collectionPath(
  r: { group: string; version: string; name: string },
  namespace?: string,
): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  return namespace ? `${base}/namespaces/${namespace}/${r.name}` : `${base}/${r.name}`;
}
