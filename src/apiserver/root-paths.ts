// The index at "/": kube-apiserver answers GET / with metav1.RootPaths, every path its mux lists
// (API groups and versions, health checks, OpenAPI, metrics, version), sorted, as indented JSON.
// Groups come from the served /apis document, so custom resources and aggregated APIs appear as
// soon as discovery shows them.
import type { HealthCheck } from './health.js';
import type { DocumentServer } from './handler.js';
import { JWKS_PATH, OPENID_CONFIGURATION_PATH } from './auth/authn/oidc.js';

interface GroupList {
  groups?: { name: string; versions?: { groupVersion: string }[] }[];
}

/** Paths this server answers besides the API groups and the health checks. */
const FIXED = [
  OPENID_CONFIGURATION_PATH,
  JWKS_PATH,
  '/api',
  '/api/v1',
  '/apis',
  '/metrics',
  '/openapi/v2',
  '/openapi/v3',
  '/openapi/v3/',
  '/version',
];

export function rootPaths(
  documents: DocumentServer,
  health: Record<'healthz' | 'livez' | 'readyz', HealthCheck[]>,
): string[] {
  const paths = new Set(FIXED);
  // the legacy (non-aggregated) form: ask with plain JSON
  const doc = documents.serve('/apis', 'application/json', new URLSearchParams());
  if (doc && typeof doc.body === 'string') {
    const list = JSON.parse(doc.body) as GroupList;
    for (const g of list.groups ?? []) {
      paths.add(`/apis/${g.name}`);
      for (const v of g.versions ?? []) paths.add(`/apis/${v.groupVersion}`);
    }
  }
  for (const [endpoint, checks] of Object.entries(health)) {
    paths.add(`/${endpoint}`);
    for (const c of checks) paths.add(`/${endpoint}/${c.name}`);
  }
  return [...paths].sort();
}

/** The body of GET /: upstream writes it with two-space indentation. */
export function rootPathsBody(paths: string[]): string {
  return JSON.stringify({ paths }, null, 2);
}
