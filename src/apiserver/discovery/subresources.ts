// Subresources each resource lists in discovery: status and scale where the strategy serves
// them, plus the fixed ones upstream lists for a few core resources (log, exec, eviction, ...).
import type { ResourceStrategy } from '../registry/strategy.js';

export interface Subresource {
  name: string;
  kind: string;
  /** Set when the subresource speaks another group's kind (Scale, Eviction, TokenRequest). */
  group?: string;
  version?: string;
  verbs: string[];
}

const READ_WRITE = ['get', 'patch', 'update'];
const PROXY_VERBS = ['create', 'delete', 'get', 'patch', 'update'];

/** Keyed by '<group>/<resource>' ('' group for core); verbs as upstream lists them. */
const FIXED_SUBRESOURCES: Record<string, Subresource[]> = {
  '/pods': [
    { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
    { name: 'binding', kind: 'Binding', verbs: ['create'] },
    { name: 'ephemeralcontainers', kind: 'Pod', verbs: READ_WRITE },
    { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
    { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'log', kind: 'Pod', verbs: ['get'] },
    { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
    { name: 'proxy', kind: 'PodProxyOptions', verbs: PROXY_VERBS },
  ],
  '/namespaces': [{ name: 'finalize', kind: 'Namespace', verbs: ['update'] }],
  '/serviceaccounts': [
    { name: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] },
  ],
  '/nodes': [{ name: 'proxy', kind: 'NodeProxyOptions', verbs: PROXY_VERBS }],
  '/services': [{ name: 'proxy', kind: 'ServiceProxyOptions', verbs: PROXY_VERBS }],
  'certificates.k8s.io/certificatesigningrequests': [
    { name: 'approval', kind: 'CertificateSigningRequest', verbs: READ_WRITE },
  ],
};

export const SCALE_SUBRESOURCE: Subresource = {
  name: 'scale',
  kind: 'Scale',
  group: 'autoscaling',
  version: 'v1',
  verbs: READ_WRITE,
};

/** The resource's subresources, sorted by name (upstream's installer sorts its paths). */
export function subresourcesOf(st: ResourceStrategy): Subresource[] {
  const out: Subresource[] = [...(FIXED_SUBRESOURCES[`${st.group}/${st.resource}`] ?? [])];
  if (st.scale) out.push(SCALE_SUBRESOURCE);
  if (st.status) out.push({ name: 'status', kind: st.kind, verbs: READ_WRITE });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
