// --runtime-config (k8s.io/apiserver's resourceconfig): which group versions and resources the
// API server serves. Keys as upstream v1.31: api/all, api/ga, api/beta, api/alpha (true|false),
// then <group>/<version> and <group>/<version>/<resource> (true|false|empty = true, any
// strconv.ParseBool spelling); the core group is v1, api/v1 (or /v1). A disabled group version
// or resource is left out of discovery and OpenAPI and answers 404; its storage stays, so what
// the API server does on its own behalf (namespaces, bootstrap objects) keeps working.
import type { ResourceStrategy } from './registry/strategy.js';

type Matcher = (version: string) => boolean;

const MATCHERS: [string, Matcher][] = [
  ['api/all', () => true],
  ['api/ga', (v) => /^v\d+$/.test(v)],
  ['api/beta', (v) => /^v\d+beta\d+$/.test(v)],
  ['api/alpha', (v) => /^v\d+alpha\d+$/.test(v)],
];

/** Go's strconv.ParseBool. */
function parseBool(key: string, value: string): boolean {
  if (value === '') return true;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new Error(
    `invalid value of ${key}: ${value}, err: strconv.ParseBool: parsing "${value}": invalid syntax`,
  );
}

/** "a=b,c" as cliflag.ConfigurationMap reads it (a key without "=" has the value ""). */
export function parseRuntimeConfig(flag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of flag.split(',')) {
    const item = part.trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    const key = (eq < 0 ? item : item.slice(0, eq)).trim();
    const value = eq < 0 ? '' : item.slice(eq + 1).trim();
    // kube-apiserver's legacy spellings of the core group
    if (key === 'v1' || key.startsWith('v1/') || key === 'api/v1' || key.startsWith('api/v1/'))
      out.set('/v1', value);
    else if (key !== 'api/legacy') out.set(key, value);
  }
  return out;
}

export interface RuntimeConfig {
  /** Whether a strategy's group version and resource are served. */
  serves(st: ResourceStrategy): boolean;
}

/** Checks the overrides against the resource table (errors worded as upstream's) and returns the selection. */
export function runtimeConfig(overrides: Map<string, string>, all: ResourceStrategy[]): RuntimeConfig {
  const gvKey = (group: string, version: string) => `${group}/${version}`;
  const versions = new Set(all.map((s) => gvKey(s.group, s.version)));
  const groups = new Set(all.map((s) => s.group));
  // every GA version on by default (k8ts serves no beta or alpha versions)
  const versionOn = new Map<string, boolean>();
  for (const gv of versions) versionOn.set(gv, /^v\d+$/.test(gv.split('/')[1]!));
  for (const [flag, matches] of MATCHERS) {
    if (!overrides.has(flag)) continue;
    const value = overrides.get(flag)!;
    if (value !== 'true' && value !== 'false') throw new Error(`invalid value ${flag}=${value}`);
    for (const gv of versions) if (matches(gv.split('/')[1]!)) versionOn.set(gv, value === 'true');
  }
  const resourceOn = new Map<string, boolean>();
  const versionPrefs: [string, boolean][] = [];
  for (const [key, value] of overrides) {
    if (MATCHERS.some(([flag]) => flag === key)) continue;
    const tokens = key.split('/');
    if (tokens.length < 2 || tokens.length > 3) continue;
    const [group, version] = [tokens[0]!, tokens[1]!];
    if (!version) throw new Error(`invalid key ${key}`);
    if (!groups.has(group)) continue; // upstream skips groups it does not have
    if (!versions.has(gvKey(group, version)))
      throw new Error(`group version ${group ? `${group}/` : ''}${version} that has not been registered`);
    const enabled = parseBool(key, value);
    if (tokens.length === 2) versionPrefs.push([gvKey(group, version), enabled]);
    else {
      const resource = tokens[2]!;
      if (resource.toLowerCase() !== resource)
        throw new Error(
          `invalid key ${key}: group/version/resource and resource is always lowercase plural, not "${resource}"`,
        );
      resourceOn.set(`${gvKey(group, version)}/${resource}`, enabled);
    }
  }
  for (const [gv, enabled] of versionPrefs) versionOn.set(gv, enabled);
  return {
    serves: (st) =>
      resourceOn.get(`${gvKey(st.group, st.version)}/${st.resource}`) ??
      versionOn.get(gvKey(st.group, st.version)) ??
      false,
  };
}
