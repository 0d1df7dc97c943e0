// Content negotiation for /api and /apis: clients that understand aggregated discovery
// (kubectl >= 1.26) list its media type first and fall back to plain JSON (the legacy
// APIVersions / APIGroupList documents).

export type DiscoveryFormat = 'aggregated-v2' | 'aggregated-v2beta1' | 'legacy';

/** The Content-Type to answer each format with. */
export const DISCOVERY_CONTENT_TYPES: Record<DiscoveryFormat, string> = {
  'aggregated-v2': 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  'aggregated-v2beta1': 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
  legacy: 'application/json',
};

interface MediaRange {
  type: string;
  params: Map<string, string>;
  q: number;
}

function parseAccept(accept: string): MediaRange[] {
  return accept
    .split(',')
    .map((part, index) => {
      const [type, ...rest] = part.split(';').map((s) => s.trim());
      const params = new Map<string, string>();
      for (const p of rest) {
        const eq = p.indexOf('=');
        if (eq > 0) params.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim());
      }
      const q = params.has('q') ? Number(params.get('q')) : 1;
      return { type: type.toLowerCase(), params, q: Number.isNaN(q) ? 0 : q, index };
    })
    .filter((r) => r.type !== '' && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
}

/**
 * Which discovery document an Accept header asks for: the first acceptable range (by q, then
 * order) that names APIGroupDiscoveryList in JSON, else the legacy documents. kubectl 1.31 sends
 * `application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json`.
 * Protobuf ranges are skipped: we only encode discovery as JSON.
 */
export function negotiateDiscovery(accept: string | undefined): DiscoveryFormat {
  for (const r of parseAccept(accept ?? '')) {
    if (r.type !== 'application/json') continue;
    if (!r.params.has('as') && !r.params.has('g')) return 'legacy';
    if (r.params.get('as') !== 'APIGroupDiscoveryList' || r.params.get('g') !== 'apidiscovery.k8s.io')
      continue;
    if (r.params.get('v') === 'v2') return 'aggregated-v2';
    if (r.params.get('v') === 'v2beta1') return 'aggregated-v2beta1';
  }
  return 'legacy';
}
